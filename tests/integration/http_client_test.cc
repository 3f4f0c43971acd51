// HttpClient against real servers on 127.0.0.1: the distribution registry serving HTTPS with a
// test certificate, and small test servers for redirects, chunked bodies and timeouts.
#include "compiler/images/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/integration/registry_fixture.h"
#include "tests/integration/test_http_server.h"

namespace kfpc::testing {
namespace {

using images::HttpClient;
using images::HttpClientOptions;
using images::HttpRequest;
using images::HttpResponse;

class RegistryTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!RegistryInstalled()) return;
    char pattern[] = "/tmp/kfpc-tls-test-XXXXXX";
    directory_ = new std::filesystem::path(mkdtemp(pattern));
    std::string certificate = (*directory_ / "registry.pem").string();
    std::string key = (*directory_ / "registry.key").string();
    std::string error;
    registry_ = new TestRegistry(certificate);
    if (!WriteServerCertificate(certificate, key, "IP:127.0.0.1", &error) ||
        !registry_->Start(
            "", &error,
            {"REGISTRY_HTTP_TLS_CERTIFICATE=" + certificate, "REGISTRY_HTTP_TLS_KEY=" + key})) {
      setup_error_ = new std::string(error);
    }
  }
  static void TearDownTestSuite() {
    delete registry_;
    delete setup_error_;
    if (directory_ != nullptr) std::filesystem::remove_all(*directory_);
    delete directory_;
  }
  void SetUp() override {
    if (!RegistryInstalled()) {
      GTEST_SKIP() << "registry binary " << RegistryBinary()
                   << " is not installed; run scripts/test-registry install";
    }
    ASSERT_EQ(setup_error_, nullptr) << *setup_error_;
  }

  static std::string certificate() { return (*directory_ / "registry.pem").string(); }

  static TestRegistry* registry_;
  static std::filesystem::path* directory_;
  static std::string* setup_error_;
};

TestRegistry* RegistryTlsTest::registry_ = nullptr;
std::filesystem::path* RegistryTlsTest::directory_ = nullptr;
std::string* RegistryTlsTest::setup_error_ = nullptr;

TEST_F(RegistryTlsTest, TrustedCertificateRoundTripsLargeBlob) {
  // 300 KB spans many TLS records in both directions.
  std::string blob(300 * 1024, '\0');
  for (size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<char>(i * 7 % 251);
  std::string error;
  ASSERT_TRUE(registry_->PushBlob("kfpc/tls", blob, &error)) << error;

  HttpClientOptions options;
  options.ca_path = certificate();
  HttpClient client(options);
  HttpRequest request;
  request.url = "https://" + registry_->authority() + "/v2/kfpc/tls/blobs/" + TestSha256(blob);
  HttpResponse response;
  ASSERT_TRUE(client.Send(request, &response, &error)) << error;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body.size(), blob.size());
  EXPECT_EQ(TestSha256(response.body), TestSha256(blob));
}

TEST_F(RegistryTlsTest, UntrustedCertificateIsRejected) {
  HttpClient client(HttpClientOptions{});  // the system store does not hold the test CA
  HttpRequest request;
  request.url = "https://" + registry_->authority() + "/v2/";
  HttpResponse response;
  std::string error;
  EXPECT_FALSE(client.Send(request, &response, &error));
  EXPECT_EQ(error, "certificate verification failed: self-signed certificate");
}

TEST_F(RegistryTlsTest, HostNameMismatchIsRejected) {
  HttpClientOptions options;
  options.ca_path = certificate();
  HttpClient client(options);
  HttpRequest request;
  // The certificate names IP 127.0.0.1 only, not the name `localhost`.
  request.url = "https://localhost:" + registry_->authority().substr(10) + "/v2/";
  HttpResponse response;
  std::string error;
  EXPECT_FALSE(client.Send(request, &response, &error));
  EXPECT_EQ(error, "certificate verification failed: hostname mismatch");
}

// Returns the request headers as the body, so a test can see what arrived.
std::string EchoHeaders(const std::string&, const std::string&, const std::string& headers) {
  return FormatResponse(200, "text/plain", headers);
}

TEST(HttpRedirect, CrossHostRedirectDropsAuthorization) {
  TestHttpServer echo;
  TestHttpServer redirector;
  std::string error;
  ASSERT_TRUE(echo.Start(EchoHeaders, &error)) << error;
  std::string target = "http://" + echo.authority() + "/echo";
  ASSERT_TRUE(redirector.Start(
      [&](const std::string&, const std::string& path, const std::string& headers) {
        if (path == "/same-host") return EchoHeaders("", path, headers);
        std::string location = path == "/start-local" ? "/same-host" : target;
        return FormatResponse(307, "text/plain", "", "Location: " + location + "\r\n");
      },
      &error))
      << error;

  HttpClient client(HttpClientOptions{});
  HttpRequest request;
  request.url = "http://" + redirector.authority() + "/start";
  request.headers.emplace_back("Authorization", "Bearer secret");
  HttpResponse response;
  ASSERT_TRUE(client.Send(request, &response, &error)) << error;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.url, target);
  EXPECT_EQ(response.body.find("Authorization"), std::string::npos) << response.body;

  request.url = "http://" + redirector.authority() + "/start-local";
  ASSERT_TRUE(client.Send(request, &response, &error)) << error;
  EXPECT_NE(response.body.find("Authorization: Bearer secret"), std::string::npos) << response.body;
}

TEST(HttpRedirect, StopsAfterRedirectLimit) {
  TestHttpServer loop;
  std::string error;
  ASSERT_TRUE(loop.Start(
      [](const std::string&, const std::string&, const std::string&) {
        return FormatResponse(302, "text/plain", "", "Location: /again\r\n");
      },
      &error));
  HttpClient client(HttpClientOptions{});
  HttpRequest request;
  request.url = "http://" + loop.authority() + "/";
  HttpResponse response;
  EXPECT_FALSE(client.Send(request, &response, &error));
  EXPECT_EQ(error, "more than 5 redirects");
}

TEST(HttpBody, ReadsChunkedEncoding) {
  TestHttpServer server;
  std::string error;
  ASSERT_TRUE(server.Start(
      [](const std::string&, const std::string&, const std::string&) {
        return std::string(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            "5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n");
      },
      &error));
  HttpClient client(HttpClientOptions{});
  HttpRequest request;
  request.url = "http://" + server.authority() + "/";
  HttpResponse response;
  ASSERT_TRUE(client.Send(request, &response, &error)) << error;
  EXPECT_EQ(response.body, "hello 0123456789");
}

TEST(HttpBody, BodyEndsWhenServerCloses) {
  // HTTP/1.1 allows a body without Content-Length or chunking that the close ends; a body
  // shorter than its Content-Length is a truncated response.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nwhole body", ""},
      {"HTTP/1.1 200 OK\r\nContent-Length: 50\r\nConnection: close\r\n\r\nshort",
       "the server closed the connection mid-response"},
  };
  for (const auto& [reply, expected_error] : cases) {
    TestHttpServer server;
    std::string error;
    std::string raw = reply;
    ASSERT_TRUE(server.Start(
        [raw](const std::string&, const std::string&, const std::string&) { return raw; }, &error));
    HttpClient client(HttpClientOptions{});
    HttpRequest request;
    request.url = "http://" + server.authority() + "/";
    HttpResponse response;
    bool sent = client.Send(request, &response, &error);
    if (expected_error.empty()) {
      ASSERT_TRUE(sent) << error;
      EXPECT_EQ(response.body, "whole body");
    } else {
      EXPECT_FALSE(sent);
      EXPECT_NE(error.find(expected_error), std::string::npos) << error;
    }
  }
}

TEST(HttpBody, SlowServerTimesOut) {
  TestHttpServer server;
  std::string error;
  ASSERT_TRUE(server.Start(
      [](const std::string&, const std::string&, const std::string&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        return FormatResponse(200, "text/plain", "late");
      },
      &error));
  HttpClientOptions options;
  options.limits.timeout = std::chrono::milliseconds(200);
  HttpClient client(options);
  HttpRequest request;
  request.url = "http://" + server.authority() + "/";
  HttpResponse response;
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(client.Send(request, &response, &error));
  EXPECT_EQ(error, "timed out");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
}

// A server that counts the requests it receives and responds to each with `response`.
struct CountingServer {
  bool Start(std::string response, std::string* error) {
    return server.Start(
        [this, response](const std::string&, const std::string&, const std::string&) {
          ++requests;
          return response;
        },
        error);
  }
  std::atomic<int> requests{0};
  TestHttpServer server;
};

TEST(HttpRedirect, LoopbackOriginRefusesUnspecifiedAddress) {
  CountingServer target;
  TestHttpServer redirector;
  std::string error;
  ASSERT_TRUE(target.Start(FormatResponse(200, "text/plain", "reached"), &error)) << error;
  std::string location = "https://0.0.0.0:" + std::to_string(target.server.port()) + "/blob";
  ASSERT_TRUE(redirector.Start(
      [&](const std::string&, const std::string&, const std::string&) {
        return FormatResponse(302, "text/plain", "", "Location: " + location + "\r\n");
      },
      &error))
      << error;

  HttpClient client(HttpClientOptions{});
  HttpRequest request;
  request.url = "http://" + redirector.authority() + "/v2/";
  HttpResponse response;
  EXPECT_FALSE(client.Send(request, &response, &error));
  EXPECT_EQ(error, "rejected host `0.0.0.0:" + std::to_string(target.server.port()) +
                       "`: a registry on a loopback address may redirect or send token requests "
                       "only to loopback hosts");
  EXPECT_EQ(target.requests, 0);
}

TEST(HttpRedirect, RemoteOriginRefusesLoopbackAddresses) {
  // A realm or redirect of a remote registry that points at this machine. The address check
  // runs before connect(), so the server below receives no request.
  CountingServer target;
  std::string error;
  ASSERT_TRUE(target.Start(FormatResponse(200, "text/plain", "reached"), &error)) << error;
  std::string port = std::to_string(target.server.port());
  HttpClient client(HttpClientOptions{});
  for (std::string host : {"127.0.0.1", "[::ffff:127.0.0.1]", "0.0.0.0", "localhost"}) {
    HttpRequest request;
    request.url = "https://" + host + ":" + port + "/token";
    request.origin = "registry.invalid";
    HttpResponse response;
    EXPECT_FALSE(client.Send(request, &response, &error)) << host;
    EXPECT_EQ(error,
              "the host resolves to a loopback, link-local, private or unspecified address, "
              "which a redirect or token server may not use")
        << host;
  }
  EXPECT_EQ(target.requests, 0);
}

TEST(HttpHead, StatusNeedsExactlyThreeDigits) {
  for (std::string line : {"HTTP/1.1 2000000 OK", "HTTP/1.1 20 OK", "HTTP/1.1 2x0 OK",
                                  "HTTP/1.1  200 OK"}) {
    TestHttpServer server;
    std::string error;
    std::string response_text = line + "\r\nContent-Length: 0\r\n\r\n";
    ASSERT_TRUE(server.Start(
        [response_text](const std::string&, const std::string&, const std::string&) {
          return response_text;
        },
        &error));
    HttpClient client(HttpClientOptions{});
    HttpRequest request;
    request.url = "http://" + server.authority() + "/";
    HttpResponse response;
    EXPECT_FALSE(client.Send(request, &response, &error)) << line;
    EXPECT_EQ(error, "the server sent an invalid HTTP status line") << line;
  }
  TestHttpServer server;
  std::string error;
  ASSERT_TRUE(server.Start(
      [](const std::string&, const std::string&, const std::string&) {
        return std::string("HTTP/1.1 204\r\n\r\n");
      },
      &error));
  HttpClient client(HttpClientOptions{});
  HttpRequest request;
  request.url = "http://" + server.authority() + "/";
  HttpResponse response;
  ASSERT_TRUE(client.Send(request, &response, &error)) << error;
  EXPECT_EQ(response.status, 204);
}

TEST(HttpBody, OverallDeadlineStopsLaterRequests) {
  TestHttpServer server;
  std::string error;
  ASSERT_TRUE(server.Start(
      [](const std::string&, const std::string&, const std::string&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        return FormatResponse(200, "text/plain", "slow");
      },
      &error));
  HttpClient client(HttpClientOptions{});  // 30 s per request
  client.set_deadline(std::chrono::steady_clock::now() + std::chrono::milliseconds(400));
  HttpRequest request;
  request.url = "http://" + server.authority() + "/";
  HttpResponse response;
  auto start = std::chrono::steady_clock::now();
  int succeeded = 0;
  for (int i = 0; i < 6 && client.Send(request, &response, &error); ++i) ++succeeded;
  EXPECT_EQ(error, "timed out");
  EXPECT_GE(succeeded, 1);
  EXPECT_LE(succeeded, 3);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(700));
}

}  // namespace
}  // namespace kfpc::testing
