import ArgumentParser
import Testing
@testable import loopseal

/// `--listen` is one argument type for `serve` and `agent`: HOST:PORT, [IPv6]:PORT or :PORT,
/// and a refused value names the option, the value and the forms accepted.
struct ListenAddressTests {
    @Test("the accepted forms", arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080), ("0.0.0.0:0", "0.0.0.0", 0), (":7700", "127.0.0.1", 7700),
        ("[::1]:8080", "::1", 8080), ("[fe80::1%eth0]:65535", "fe80::1%eth0", 65535), ("[]:80", "127.0.0.1", 80),
        ("localhost:1", "localhost", 1), ("::1:8080", "::1", 8080),
    ])
    func accepted(text: String, host: String, port: Int) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address == ListenAddress(host: host, port: port))
        #expect(ListenAddress(argument: text) == address)
    }

    @Test("written back with brackets around an IPv6 host")
    func description() {
        #expect("\(ListenAddress(host: "::1", port: 80))" == "[::1]:80")
        #expect("\(ListenAddress(host: "127.0.0.1", port: 0))" == "127.0.0.1:0")
    }

    @Test("refused values say why", arguments: [
        ("nonsense", "expected HOST:PORT, [IPv6]:PORT or :PORT"), ("127.0.0.1", "expected HOST:PORT"),
        ("127.0.0.1:", "the port must be a number from 0 to 65535"), ("127.0.0.1:65536", "from 0 to 65535"),
        ("127.0.0.1:-1", "from 0 to 65535"), ("host:http", "from 0 to 65535"),
        ("[::1]", "[ADDRESS]:PORT"), ("[::1:8080", "[ADDRESS]:PORT"), ("[::1]8080", "[ADDRESS]:PORT"),
    ])
    func refused(text: String, reason: String) {
        #expect(ListenAddress(argument: text) == nil)
        #expect(throws: ListenAddressError.self) { try ListenAddress(parsing: text) }
        do {
            _ = try ListenAddress(parsing: text)
        } catch {
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test("serve and agent parse --listen with it; a bad value is a usage error naming the option, the value and the forms")
    func commands() throws {
        let agentArguments = ["-i", "k", "--authorized-keys", "a", "--env-file", "e"]
        #expect(try Serve.parse([]).listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(try Agent.parse(agentArguments).listen == ListenAddress(host: "127.0.0.1", port: 7700))
        #expect(try Serve.parse(["--listen", "[::1]:0"]).listen == ListenAddress(host: "::1", port: 0))
        #expect(try Agent.parse(["--listen", ":9000"] + agentArguments).listen == ListenAddress(host: "127.0.0.1", port: 9000))
        for (command, arguments) in [("serve", ["serve", "--listen", "nonsense"]),
                                     ("agent", ["agent", "--listen", "nonsense"] + agentArguments)] {
            do {
                _ = try Loopseal.parseAsRoot(arguments)
                Issue.record("\(command) accepted --listen nonsense")
            } catch {
                let message = Loopseal.fullMessage(for: error)
                #expect(message.contains("The value 'nonsense' is invalid for '--listen <host:port>'"), "\(message)")
                #expect(message.contains("expected HOST:PORT, [IPv6]:PORT or :PORT"), "\(message)")
                #expect(Loopseal.exitCode(for: error) == .validationFailure)
            }
        }
    }

    @Test("the help shows each command's default, as before")
    func help() {
        #expect(Serve.helpMessage().contains("(default: 127.0.0.1:8080)"))
        #expect(Agent.helpMessage().contains("(default: 127.0.0.1:7700)"))
    }
}
