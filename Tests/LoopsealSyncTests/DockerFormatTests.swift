import Foundation
import LoopsealSync
import Testing

@Suite struct DockerFormatTests {
    static let canary = "CANARY-7f3a"

    /// Whether docker would read `value` back differently or refuse the line.
    static func refused(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        if bytes.contains(UInt8(ascii: "\n")) || bytes.contains(UInt8(ascii: "\r")) { return true }
        guard let first = bytes.first, bytes.count >= 2 else { return false }
        return first == bytes.last && (first == UInt8(ascii: "'") || first == UInt8(ascii: "\""))
    }

    static var allValues: [String] { TortureValues.all + TortureValues.dotenvRejected }

    /// The docker CLI's `docker` binary, if installed.
    static let dockerPath: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "")
        .split(separator: ":").map { $0 + "/docker" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs the real `docker run --env-file FILE busybox` against a fake daemon on a unix
    /// socket that records the `Env` of the container-create request and prints it.
    static let realDocker = """
        import sys, os, json, threading, socketserver, subprocess, tempfile, http.server, shutil
        directory = tempfile.mkdtemp()
        sock = os.path.join(directory, "docker.sock")
        captured = {}
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def address_string(self): return "unix"
            def reply(self, code, body):
                data = body.encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Api-Version", "1.45")
                self.send_header("Ostype", "linux")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD": self.wfile.write(data)
            def do_HEAD(self): self.reply(200, "OK")
            def do_GET(self): self.reply(200 if self.path.endswith("/_ping") else 404, "{}")
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if "/containers/create" in self.path:
                    captured["env"] = json.loads(body).get("Env") or []
                self.reply(500, json.dumps({"message": "fake daemon stops here"}))
        class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
            daemon_threads = True
        server = Server(sock, Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        result = subprocess.run(
            ["docker", "-H", "unix://" + sock, "run", "--rm", "--env-file", sys.argv[1], "busybox"],
            capture_output=True, env={"PATH": os.environ["PATH"], "HOME": directory, "DOCKER_CONFIG": directory})
        server.shutdown()
        shutil.rmtree(directory, ignore_errors=True)
        if "env" not in captured:
            sys.exit("docker did not send a create request: " + result.stderr.decode("utf-8", "replace"))
        for item in captured["env"]:
            k, _, v = item.partition("=")
            print(k, v.encode("utf-8", "surrogatepass").hex())
        """

    static func carriedEntries() -> [EnvEntry] {
        TortureValues.entries(allValues.filter { !refused($0) }) + [
            EnvEntry(key: "EMPTY", value: []),
            EnvEntry(key: "LEAD_WS", value: Array(" \t lead".utf8)),
            EnvEntry(key: "TRAIL_WS", value: Array("trail \t ".utf8)),
            EnvEntry(key: "HASH", value: Array("#not a comment".utf8)),
            EnvEntry(key: "HALF_QUOTED", value: Array("'a\"".utf8)),
            EnvEntry(key: "LONGEST", value: Array(repeating: UInt8(ascii: "x"), count: 65_535 - "LONGEST=".utf8.count)),
        ]
    }

    @Test func torturedValuesRoundTripThroughTheEnvFileRule() throws {
        let entries = Self.carriedEntries()
        Consumer.expectExact(try DockerEnvReader.read(try OutputFormat.docker.render(entries)), entries)
    }

    @Test(.enabled(if: dockerPath != nil, "docker CLI not installed"))
    func torturedValuesRoundTripThroughTheRealDockerCLI() throws {
        let entries = Self.carriedEntries()
        let file = try Consumer.write(try OutputFormat.docker.render(entries), suffix: ".env")
        defer { try? FileManager.default.removeItem(at: file) }
        Consumer.expectExact(try Consumer.python(Self.realDocker, file: file), entries)
    }

    @Test func refusedSetIsWhatWeExpect() {
        let refused = Self.allValues.filter(Self.refused)
        #expect(refused.contains("''") && refused.contains("'\\''") && refused.contains(TortureValues.pem))
        #expect(refused.count == 12)
    }

    @Test func lineBreaksAreRefusedNamingTheKey() {
        for value in Self.allValues.filter({ $0.contains("\n") || $0.unicodeScalars.contains("\r") }) {
            expectRefused(
                .docker, [EnvEntry(key: "OK", value: []), EnvEntry(key: "SECRET_KEY", value: Array((Self.canary + value).utf8))],
                key: "SECRET_KEY", canary: Self.canary, reasonMentions: "line break")
        }
        for value in ["\n", "\r", "a\r", "\rb"] {
            expectRefused(
                .docker, [EnvEntry(key: "SECRET_KEY", value: Array((Self.canary + value).utf8))],
                key: "SECRET_KEY", canary: Self.canary)
        }
    }

    @Test func matchingOuterQuotesAreRefusedNamingTheKey() {
        for value in ["''", "\"\"", "'\(Self.canary)'", "\"\(Self.canary)\"", "'\(Self.canary) ' x '"] {
            expectRefused(
                .docker, [EnvEntry(key: "SECRET_KEY", value: Array(value.utf8))],
                key: "SECRET_KEY", canary: Self.canary, reasonMentions: "quote")
        }
    }

    @Test func overlongLineIsRefusedNamingTheKey() {
        let value = Self.canary + String(repeating: "x", count: 65_535 - "SECRET_KEY=".utf8.count - Self.canary.utf8.count + 1)
        expectRefused(
            .docker, [EnvEntry(key: "SECRET_KEY", value: Array(value.utf8))],
            key: "SECRET_KEY", canary: Self.canary, reasonMentions: "65535")
    }

    @Test func exactLines() throws {
        let entries = [
            EnvEntry(key: "A", value: Array("x y  ".utf8)),
            EnvEntry(key: "B", value: []),
            EnvEntry(key: "C", value: Array(" \"q' #c $X \\n".utf8)),
        ]
        #expect(try OutputFormat.docker.render(entries) == "A=x y  \nB=\nC= \"q' #c $X \\n\n")
        #expect(try OutputFormat.docker.render([]) == "")
    }
}
