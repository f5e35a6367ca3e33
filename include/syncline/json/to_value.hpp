// syncline::json::to_value<T>: a typed record to a boost::json::value, with the same mapping as
// json::encode (encode.hpp), for code that edits or embeds the result as a DOM.
#pragma once

#include <syncline/json/detail/value_writer.hpp>
#include <syncline/json/encode.hpp>

#include <boost/json/value.hpp>

namespace syncline::json {

template <class T>
boost::json::value to_value(const T& value) {
  if constexpr (detail::check_encodable<T>()) {
    detail::value_writer w;
    detail::codec<T>::write(w, value);
    return w.release();
  } else {
    return nullptr;
  }
}

}  // namespace syncline::json
