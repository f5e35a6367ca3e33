// TLS contexts for the client (verification on by default) and the server (certificate + key).
#pragma once

#include <syncline/core/result.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <string>
#include <string_view>
#include <utility>

namespace syncline::http {

namespace ssl = boost::asio::ssl;

// Client side. The defaults verify the certificate chain against the system trust store and
// the host name against the certificate, as a browser does.
struct tls_options {
  bool use_system_trust_store = true;
  std::string extra_ca_pem;   // PEM certificates trusted in addition (e.g. a test CA)
  std::string extra_ca_file;  // the same, from a file
  // Turns off chain AND host-name verification: anyone on the path can then read and change
  // the traffic. Only for a local test server whose certificate cannot be trusted otherwise.
  bool insecure_skip_certificate_verification = false;
};

// Server side: either a ready context, or a certificate chain and its private key in PEM.
struct server_tls_options {
  std::string certificate_chain_pem;
  std::string private_key_pem;
  std::shared_ptr<ssl::context> context;  // used as is when set
};

namespace detail {
inline std::string describe_openssl(const boost::system::error_code& ec) {
  std::string m = ec.message();
  return m.empty() ? std::string("unknown TLS error") : m;
}
}  // namespace detail

inline result<std::shared_ptr<ssl::context>> make_client_tls_context(const tls_options& o) {
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

inline result<std::shared_ptr<ssl::context>> make_server_tls_context(const server_tls_options& o) {
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

// Asio's ssl::host_name_verification (RFC 6125 matching), recording *why* it refused so the
// handshake error reads "hostname mismatch" instead of a bare "certificate verify failed".
class host_name_check {
 public:
  explicit host_name_check(std::string host) : inner_(std::move(host)) {}
  bool operator()(bool preverified, ssl::verify_context& ctx) const {
    if (inner_(preverified, ctx)) return true;
    X509_STORE_CTX* store = ctx.native_handle();
    if (preverified && X509_STORE_CTX_get_error(store) == X509_V_OK)
      X509_STORE_CTX_set_error(store, X509_V_ERR_HOSTNAME_MISMATCH);
    return false;
  }

 private:
  ssl::host_name_verification inner_;
};

// A readable reason for a failed handshake: OpenSSL's verification verdict when there is one
// ("certificate has expired", "Hostname mismatch", ...), else the error code's text.
inline std::string describe_tls_failure(const boost::system::error_code& ec, SSL* ssl) {
  if (ssl) {
    long v = SSL_get_verify_result(ssl);
    if (v != X509_V_OK)
      return std::string("certificate verification failed: ") + X509_verify_cert_error_string(v);
  }
  return detail::describe_openssl(ec);
}

}  // namespace syncline::http
