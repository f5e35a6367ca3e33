// JSON answers: every JSON body the server and the engine send is a described struct encoded by
// syncline::json (json/encode.hpp), so all of them escape by one rule and are valid JSON whatever
// a message quotes (a topic or an id from the URL or a header, an app's error text). Writing
// them by hand had already drifted: one writer escaped, the other did not.
#pragma once

#include <syncline/http/message.hpp>
#include <syncline/json/encode.hpp>

#include <boost/describe/class.hpp>

#include <string>

namespace syncline::http {

// {"error":"..."}: every refusal, of the server (400, 404, 405, 408, 413, 431, 500) and of the
// engine's routes.
struct error_answer {
  std::string error;
};
BOOST_DESCRIBE_STRUCT(error_answer, (), (error))

// `answer` as the JSON body of a response. A constant answer is better encoded once
// (`static const std::string body = json::encode(answer)`), then sent with make_response.
template <class Answer>
response json_response(unsigned status, const Answer& answer) {
  return make_response(status, json::encode(answer));
}

}  // namespace syncline::http
