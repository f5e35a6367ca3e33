// The bodies of <syncline/http/tls.hpp>: OpenSSL and Asio's SSL context.
#pragma once

#include <syncline/http/tls.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <boost/system/error_code.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace syncline::http {

namespace detail {
SYNCLINE_DECL std::string describe_openssl(const boost::system::error_code& ec) {
  std::string m = ec.message();
  return m.empty() ? std::string("unknown TLS error") : m;
}
}  // namespace detail

SYNCLINE_DECL result<std::shared_ptr<ssl::context>> make_client_tls_context(const tls_options& o) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  // TLS 1.2 is the oldest version still considered safe (RFC 8996 retired 1.0 and 1.1).
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression, ec);
  if (o.insecure_skip_certificate_verification) {
    ctx->set_verify_mode(ssl::verify_none, ec);
    return ctx;
  }
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (o.use_system_trust_store) {
    ctx->set_default_verify_paths(ec);
    if (ec)
      return make_error(errc::tls,
                        "cannot load the system trust store: " + detail::describe_openssl(ec));
  }
  if (!o.extra_ca_pem.empty()) {
    ctx->add_certificate_authority(boost::asio::buffer(o.extra_ca_pem), ec);
    if (ec)
      return make_error(errc::tls,
                        "extra_ca_pem is not a PEM certificate: " + detail::describe_openssl(ec));
  }
  if (!o.extra_ca_file.empty()) {
    ctx->load_verify_file(o.extra_ca_file, ec);
    if (ec)
      return make_error(errc::tls, "cannot load CA file '" + o.extra_ca_file +
                                       "': " + detail::describe_openssl(ec));
  }
  return ctx;
}

SYNCLINE_DECL result<std::shared_ptr<ssl::context>> make_server_tls_context(
    const server_tls_options& o) {
  if (o.context) return o.context;
  if (o.certificate_chain_pem.empty() || o.private_key_pem.empty())
    return make_error(errc::invalid_input,
                      "server TLS needs certificate_chain_pem and private_key_pem (or a context)");
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                       ssl::context::single_dh_use,
                   ec);
  ctx->use_certificate_chain(boost::asio::buffer(o.certificate_chain_pem), ec);
  if (ec)
    return make_error(errc::tls,
                      "server certificate chain is not valid PEM: " + detail::describe_openssl(ec));
  // The key's text is a secret: the message names the problem, never the content.
  ctx->use_private_key(boost::asio::buffer(o.private_key_pem), ssl::context::pem, ec);
  if (ec)
    return make_error(errc::tls,
                      "server private key is unusable (not PEM, or not the key of the "
                      "certificate): " +
                          detail::describe_openssl(ec));
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    return make_error(errc::tls, "server private key does not match its certificate");
  return ctx;
}

SYNCLINE_DECL bool host_name_check::operator()(bool preverified, ssl::verify_context& ctx) const {
  // Built per call: it holds only the name, and this runs once per certificate of a handshake.
  if (ssl::host_name_verification(host_)(preverified, ctx)) return true;
  X509_STORE_CTX* store = ctx.native_handle();
  if (preverified && X509_STORE_CTX_get_error(store) == X509_V_OK)
    X509_STORE_CTX_set_error(store, X509_V_ERR_HOSTNAME_MISMATCH);
  return false;
}

SYNCLINE_DECL std::string describe_tls_failure(const boost::system::error_code& ec, SSL* ssl) {
  if (ssl) {
    long v = SSL_get_verify_result(ssl);
    if (v != X509_V_OK)
      return std::string("certificate verification failed: ") + X509_verify_cert_error_string(v);
  }
  return detail::describe_openssl(ec);
}

}  // namespace syncline::http
