// TLS contexts for the client (verification on by default) and the server (certificate + key).
// OpenSSL and Asio's SSL bodies are in impl/tls.ipp; here the types are only named.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>

#include <boost/system/error_code.hpp>

#include <memory>
#include <openssl/types.h>
#include <string>
#include <utility>

namespace boost::asio::ssl {
class context;
class verify_context;
}  // namespace boost::asio::ssl

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
  // Used as is when set (include <boost/asio/ssl/context.hpp> to build one).
  std::shared_ptr<ssl::context> context;
};

SYNCLINE_DECL result<std::shared_ptr<ssl::context>> make_client_tls_context(const tls_options& o);

SYNCLINE_DECL result<std::shared_ptr<ssl::context>> make_server_tls_context(
    const server_tls_options& o);

// Asio's ssl::host_name_verification (RFC 6125 matching), recording *why* it refused so the
// handshake error reads "hostname mismatch" instead of a bare "certificate verify failed".
class host_name_check {
 public:
  explicit host_name_check(std::string host) : host_(std::move(host)) {}
  SYNCLINE_DECL bool operator()(bool preverified, ssl::verify_context& ctx) const;

 private:
  std::string host_;
};

// A readable reason for a failed handshake: OpenSSL's verification verdict when there is one
// ("certificate has expired", "Hostname mismatch", ...), else the error code's text.
SYNCLINE_DECL std::string describe_tls_failure(const boost::system::error_code& ec, SSL* ssl);

}  // namespace syncline::http

#if SYNCLINE_HEADER_ONLY
#include <syncline/http/impl/tls.ipp>
#endif
