#pragma once
// The bodies of the http layer's non-template functions, for separate compilation: compiled once
// by src/compiled/http.cpp (syncline::compiled), or by <syncline/src.hpp>. See
// <syncline/config.hpp>.
#include <syncline/config.hpp>

#if SYNCLINE_HEADER_ONLY
#error "syncline: <syncline/http/src.hpp> needs SYNCLINE_SEPARATE_COMPILATION defined"
#endif

#include <syncline/http/impl/client.ipp>
#include <syncline/http/impl/data_stream_signature.ipp>
#include <syncline/http/impl/hmac.ipp>
#include <syncline/http/impl/incoming.ipp>
#include <syncline/http/impl/io_threads.ipp>
#include <syncline/http/impl/message.ipp>
#include <syncline/http/impl/rate_limiter.ipp>
#include <syncline/http/impl/request_retry.ipp>
#include <syncline/http/impl/router.ipp>
#include <syncline/http/impl/server.ipp>
#include <syncline/http/impl/tls.ipp>
#include <syncline/http/impl/url.ipp>
