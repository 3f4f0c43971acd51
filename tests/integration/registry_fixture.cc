#include "tests/integration/registry_fixture.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

extern char** environ;

namespace kfpc::testing {
int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream input(path);
  std::stringstream text;
  text << input.rdbuf();
  return text.str();
}

std::string Base64(std::string_view bytes, bool url) {
  std::string encoded(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                               reinterpret_cast<const unsigned char*>(bytes.data()),
                               static_cast<int>(bytes.size()));
  encoded.resize(static_cast<size_t>(length));
  if (!url) return encoded;
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  for (char& c : encoded) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return encoded;
}

std::string Descriptor(std::string_view media_type, const std::string& bytes) {
  nlohmann::json descriptor = {
      {"mediaType", media_type}, {"digest", TestSha256(bytes)}, {"size", bytes.size()}};
  return descriptor.dump();
}

}  // namespace

std::string RegistryBinary() {
  const char* binary = std::getenv("KFPC_REGISTRY_BINARY");
  return binary != nullptr ? binary : "/usr/bin/docker-registry";
}

bool RegistryInstalled() { return access(RegistryBinary().c_str(), X_OK) == 0; }

std::string TestSha256(std::string_view bytes) {
  unsigned char hash[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), hash);
  std::string hex = "sha256:";
  char pair[3];
  for (unsigned char byte : hash) {
    std::snprintf(pair, sizeof pair, "%02x", byte);
    hex += pair;
  }
  return hex;
}

TestRegistry::TestRegistry(std::string ca_path)
    : scheme_(ca_path.empty() ? "http" : "https"),
      http_(images::HttpClientOptions{.limits = {}, .insecure_hosts = {}, .ca_path = ca_path}) {}

TestRegistry::~TestRegistry() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 50 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (i == 49) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
    }
  }
  std::error_code ignored;
  if (!directory_.empty()) std::filesystem::remove_all(directory_, ignored);
}

bool TestRegistry::Start(const std::string& extra_config, std::string* error,
                         const std::vector<std::string>& environment) {
  char pattern[] = "/tmp/kfpc-registry-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    *error = "cannot create a temporary directory";
    return false;
  }
  directory_ = pattern;
  std::filesystem::path extra = directory_ / "extra.yml";
  std::ofstream(extra) << extra_config;
  port_ = FreeLoopbackPort();
  std::string script = std::string(KFPC_SOURCE_DIR) + "/scripts/test-registry";
  std::string port = std::to_string(port_);
  std::string storage = (directory_ / "storage").string();
  std::string log = (directory_ / "registry.log").string();
  std::string extra_path = extra.string();
  std::vector<char*> argv = {const_cast<char*>("/bin/bash"),
                             script.data(),
                             const_cast<char*>("run"),
                             port.data(),
                             storage.data(),
                             extra_path.data(),
                             nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> envp;
  for (char** variable = environ; *variable != nullptr; ++variable) envp.push_back(*variable);
  for (const std::string& variable : environment)
    envp.push_back(const_cast<char*>(variable.c_str()));
  envp.push_back(nullptr);
  int spawned = posix_spawn(&pid_, "/bin/bash", &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    pid_ = -1;
    *error = "cannot start scripts/test-registry";
    return false;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      *error = "the registry exited: " + ReadFile(log);
      return false;
    }
    images::HttpRequest request;
    request.url = base_url() + "/v2/";
    images::HttpResponse response;
    std::string ignored;
    if (http_.Send(request, &response, &ignored) &&
        (response.status == 200 || response.status == 401)) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  *error = "the registry did not answer within 20 s: " + ReadFile(log);
  return false;
}

bool TestRegistry::Send(images::HttpRequest request, int expected_status,
                        images::HttpResponse* response, std::string* error) {
  if (!authorization_.empty()) request.headers.emplace_back("Authorization", authorization_);
  if (!http_.Send(request, response, error)) return false;
  if (response->status == expected_status) return true;
  *error = request.method + " " + request.url + " returned " + std::to_string(response->status) +
           ": " + response->body;
  return false;
}

bool TestRegistry::PushBlob(const std::string& repository, const std::string& bytes,
                            std::string* error) {
  images::HttpRequest start;
  start.method = "POST";
  start.url = base_url() + "/v2/" + repository + "/blobs/uploads/";
  images::HttpResponse response;
  if (!Send(start, 202, &response, error)) return false;
  std::string location = response.Header("location");
  images::HttpRequest finish;
  finish.method = "PUT";
  finish.url = location.find("://") == std::string::npos ? base_url() + location : location;
  finish.url += (finish.url.find('?') == std::string::npos ? "?" : "&");
  finish.url += "digest=" + TestSha256(bytes);
  finish.headers.emplace_back("Content-Type", "application/octet-stream");
  finish.body = bytes;
  return Send(finish, 201, &response, error);
}

bool TestRegistry::PushManifest(const std::string& repository, const std::string& reference,
                                std::string_view media_type, const std::string& bytes,
                                std::string* error) {
  images::HttpRequest request;
  request.method = "PUT";
  request.url = base_url() + "/v2/" + repository + "/manifests/" + reference;
  request.headers.emplace_back("Content-Type", std::string(media_type));
  request.body = bytes;
  images::HttpResponse response;
  if (!Send(request, 201, &response, error)) return false;
  if (response.Header("docker-content-digest") != TestSha256(bytes)) {
    *error = "the registry stored the manifest under another digest";
    return false;
  }
  return true;
}

bool PushPlatformImage(TestRegistry& registry, const std::string& repository, const std::string& os,
                       const std::string& architecture, const std::string& variant,
                       std::string_view media_type, PushedManifest* manifest, std::string* error) {
  bool oci = media_type == "application/vnd.oci.image.manifest.v1+json";
  std::string layer = "kfpc test layer for " + os + "/" + architecture + variant;
  nlohmann::json config = {{"architecture", architecture},
                           {"os", os},
                           {"rootfs", {{"type", "layers"}, {"diff_ids", {TestSha256(layer)}}}}};
  if (!variant.empty()) config["variant"] = variant;
  std::string config_bytes = config.dump();
  std::string config_type = oci ? "application/vnd.oci.image.config.v1+json"
                                : "application/vnd.docker.container.image.v1+json";
  std::string layer_type = oci ? "application/vnd.oci.image.layer.v1.tar"
                               : "application/vnd.docker.image.rootfs.diff.tar";
  // Hand-written JSON with a fixed key order, like real registries' manifests.
  manifest->bytes = "{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"" + std::string(media_type) +
                    "\",\n  \"config\": " + Descriptor(config_type, config_bytes) +
                    ",\n  \"layers\": [" + Descriptor(layer_type, layer) + "]\n}";
  manifest->digest = TestSha256(manifest->bytes);
  manifest->media_type = std::string(media_type);
  return registry.PushBlob(repository, config_bytes, error) &&
         registry.PushBlob(repository, layer, error) &&
         registry.PushManifest(repository, manifest->digest, media_type, manifest->bytes, error);
}

std::string IndexJson(std::string_view media_type,
                      const std::vector<std::pair<PushedManifest, std::string>>& entries) {
  std::string manifests;
  for (const auto& [manifest, platform] : entries) {
    nlohmann::json descriptor = {{"mediaType", manifest.media_type},
                                 {"digest", manifest.digest},
                                 {"size", manifest.bytes.size()},
                                 {"platform", nlohmann::json::parse(platform)}};
    manifests += (manifests.empty() ? "" : ",\n    ") + descriptor.dump();
  }
  return "{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"" + std::string(media_type) +
         "\",\n  \"manifests\": [\n    " + manifests + "\n  ]\n}";
}

namespace {

X509* MakeSelfSignedCertificate(EVP_PKEY* key, const std::string& common_name,
                                const std::string& subject_alt_name) {
  X509* certificate = X509_new();
  X509_set_version(certificate, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate), -3600);
  X509_gmtime_adj(X509_getm_notAfter(certificate), 86400);
  X509_set_pubkey(certificate, key);
  X509_NAME* name = X509_get_subject_name(certificate);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(certificate, name);
  if (!subject_alt_name.empty()) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* extension =
        X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, subject_alt_name.c_str());
    X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
  }
  if (X509_sign(certificate, key, EVP_sha256()) == 0) {
    X509_free(certificate);
    return nullptr;
  }
  return certificate;
}

}  // namespace

bool WriteServerCertificate(const std::filesystem::path& certificate_path,
                            const std::filesystem::path& key_path,
                            const std::string& subject_alt_name, std::string* error) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  X509* certificate = key == nullptr
                          ? nullptr
                          : MakeSelfSignedCertificate(key, "kfpc test registry", subject_alt_name);
  FILE* certificate_file = std::fopen(certificate_path.c_str(), "w");
  FILE* key_file = std::fopen(key_path.c_str(), "w");
  bool written = certificate != nullptr && certificate_file != nullptr && key_file != nullptr &&
                 PEM_write_X509(certificate_file, certificate) == 1 &&
                 PEM_write_PrivateKey(key_file, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  if (certificate_file != nullptr) std::fclose(certificate_file);
  if (key_file != nullptr) std::fclose(key_file);
  if (certificate != nullptr) X509_free(certificate);
  if (key != nullptr) EVP_PKEY_free(key);
  if (!written) *error = "cannot write the test certificate and key";
  return written;
}

TokenIssuer::~TokenIssuer() {
  if (certificate_ != nullptr) X509_free(certificate_);
  if (key_ != nullptr) EVP_PKEY_free(key_);
}

bool TokenIssuer::Init(const std::filesystem::path& certificate_path, std::string* error) {
  key_ = EVP_RSA_gen(2048);
  certificate_ =
      key_ == nullptr ? nullptr : MakeSelfSignedCertificate(key_, "kfpc test token issuer", "");
  if (certificate_ == nullptr) {
    *error = "cannot generate the token signing key and certificate";
    return false;
  }
  FILE* file = std::fopen(certificate_path.c_str(), "w");
  bool written = file != nullptr && PEM_write_X509(file, certificate_) == 1;
  if (file != nullptr) std::fclose(file);
  if (!written) *error = "cannot write " + certificate_path.string();
  return written;
}

std::string TokenIssuer::Issue(const std::string& issuer, const std::string& service,
                               const std::string& scope) const {
  unsigned char* der = nullptr;
  int der_length = i2d_X509(certificate_, &der);
  std::string certificate(reinterpret_cast<char*>(der), static_cast<size_t>(der_length));
  OPENSSL_free(der);
  nlohmann::json header = {{"typ", "JWT"}, {"alg", "RS256"}, {"x5c", {Base64(certificate, false)}}};
  // scope is `repository:NAME:ACTION[,ACTION]`.
  size_t first = scope.find(':');
  size_t last = scope.rfind(':');
  nlohmann::json actions = nlohmann::json::array();
  std::stringstream list(scope.substr(last + 1));
  for (std::string action; std::getline(list, action, ',');) actions.push_back(action);
  long now = static_cast<long>(std::time(nullptr));
  nlohmann::json claims = {{"iss", issuer},
                           {"sub", "kfpc-test"},
                           {"aud", service},
                           {"exp", now + 600},
                           {"nbf", now - 10},
                           {"iat", now},
                           {"jti", std::to_string(now)},
                           {"access",
                            {{{"type", "repository"},
                              {"name", scope.substr(first + 1, last - first - 1)},
                              {"actions", actions}}}}};
  std::string signing_input = Base64(header.dump(), true) + "." + Base64(claims.dump(), true);
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  size_t signature_length = 0;
  EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, key_);
  EVP_DigestSign(context, nullptr, &signature_length,
                 reinterpret_cast<const unsigned char*>(signing_input.data()),
                 signing_input.size());
  std::string signature(signature_length, '\0');
  EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()), &signature_length,
                 reinterpret_cast<const unsigned char*>(signing_input.data()),
                 signing_input.size());
  EVP_MD_CTX_free(context);
  signature.resize(signature_length);
  return signing_input + "." + Base64(signature, true);
}

}  // namespace kfpc::testing
