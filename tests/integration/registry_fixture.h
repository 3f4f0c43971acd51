#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/images/http_client.h"

// Runs the real CNCF distribution registry (Debian's `docker-registry`) on loopback for the
// registry integration tests, and pushes test images to it over the distribution HTTP API.
namespace kfpc::testing {

// Returns the registry binary's path: $KFPC_REGISTRY_BINARY or /usr/bin/docker-registry.
std::string RegistryBinary();
bool RegistryInstalled();

// Returns a loopback port that was free a moment ago: bound to port 0, read back, released.
int FreeLoopbackPort();

// Returns `sha256:<hex>` computed with OpenSSL directly, independent of the code under test.
std::string TestSha256(std::string_view bytes);

// Writes a self-signed RSA certificate for `subject_alt_name` (`IP:127.0.0.1`, `DNS:name`) and
// its private key, both PEM, for a TLS test server.
bool WriteServerCertificate(const std::filesystem::path& certificate_path,
                            const std::filesystem::path& key_path,
                            const std::string& subject_alt_name, std::string* error);

class TestRegistry {
 public:
  // With `ca_path`, the registry is expected to serve HTTPS with a certificate from that file.
  explicit TestRegistry(std::string ca_path = "");
  // Stops the registry (SIGTERM, then SIGKILL) and deletes its storage.
  ~TestRegistry();
  TestRegistry(const TestRegistry&) = delete;
  TestRegistry& operator=(const TestRegistry&) = delete;

  // Starts the registry with scripts/test-registry on a free port, appending `extra_config` (YAML)
  // to its config and adding `environment` (`NAME=value`, such as REGISTRY_HTTP_TLS_KEY) to its
  // environment, and waits until /v2/ responds. Returns false with the registry log on failure.
  bool Start(const std::string& extra_config, std::string* error,
             const std::vector<std::string>& environment = {});

  std::string authority() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string base_url() const { return scheme_ + "://" + authority(); }
  const std::filesystem::path& directory() const { return directory_; }
  // Sets the `Authorization` header value sent with pushes; empty sends none.
  void set_authorization(std::string value) { authorization_ = std::move(value); }

  // Uploads `bytes` as a blob with a monolithic POST and PUT.
  bool PushBlob(const std::string& repository, const std::string& bytes, std::string* error);
  bool PushManifest(const std::string& repository, const std::string& reference,
                    std::string_view media_type, const std::string& bytes, std::string* error);

 private:
  bool Send(images::HttpRequest request, int expected_status, images::HttpResponse* response,
            std::string* error);

  std::string scheme_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path directory_;
  images::HttpClient http_;
  std::string authorization_;
};

// A pushed manifest: its exact bytes, digest and media type.
struct PushedManifest {
  std::string bytes;
  std::string digest;
  std::string media_type;
};

// Pushes a tiny image for one platform (a config blob naming `os`, `architecture`, `variant`
// and a one-layer blob) and its manifest by digest, of type `media_type` (OCI or Docker v2).
bool PushPlatformImage(TestRegistry& registry, const std::string& repository, const std::string& os,
                       const std::string& architecture, const std::string& variant,
                       std::string_view media_type, PushedManifest* manifest, std::string* error);

// Returns an index (OCI) or manifest list (Docker) of `entries`, each a manifest and its
// `platform` object as JSON text.
std::string IndexJson(std::string_view media_type,
                      const std::vector<std::pair<PushedManifest, std::string>>& entries);

// Issues registry bearer tokens (JWT, RS256) signed by a key whose self-signed certificate the
// registry trusts through `auth.token.rootcertbundle`.
class TokenIssuer {
 public:
  TokenIssuer() = default;
  ~TokenIssuer();
  TokenIssuer(const TokenIssuer&) = delete;
  TokenIssuer& operator=(const TokenIssuer&) = delete;

  // Generates the key and certificate and writes the certificate as PEM to `certificate_path`.
  bool Init(const std::filesystem::path& certificate_path, std::string* error);
  // Returns a token for `issuer` and `service` that grants the actions of `scope`
  // (`repository:NAME:ACTIONS`).
  std::string Issue(const std::string& issuer, const std::string& service,
                    const std::string& scope) const;

 private:
  EVP_PKEY* key_ = nullptr;
  X509* certificate_ = nullptr;
};

}  // namespace kfpc::testing
