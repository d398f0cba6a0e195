import Foundation
import LoopsealSystem
import Testing

/// `ssh` targets against a real sshd on 127.0.0.1 (temporary host and client keys), and `command`
/// targets with a real command; host key checking stays on.
@Suite("ssh and command targets")
struct SSHAndCommandTargetTests {
    /// An sshd for one test: listens on a free loopback port, accepts one client key.
    /// sshd runs as a daemon (it forks and its launcher exits at once): Foundation's child
    /// reaper on Linux blocks on long-lived children, which would stall every other process
    /// the tests start. It is stopped through its pid file.
    final class SSHServer {
        let directory: String
        let port: Int

        init(in directory: String) throws {
            self.directory = directory
            try #require(FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd"),
                         "sshd is missing: apt-get install openssh-server (make test installs it)")
            for name in ["host_key", "client_key"] {
                let keygen = try ChildProcess.run(["/usr/bin/ssh-keygen", "-t", "ed25519", "-N", "", "-q", "-f", "\(directory)/\(name)"])
                try #require(keygen.status == 0 && !keygen.signaled, "ssh-keygen: \(keygen.errorText)")
            }
            try FileManager.default.copyItem(atPath: "\(directory)/client_key.pub", toPath: "\(directory)/authorized_keys")
            port = try Self.freePort()
            try """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(directory)/host_key
            AuthorizedKeysFile \(directory)/authorized_keys
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PidFile \(directory)/sshd.pid
            StrictModes no
            UsePAM no
            PermitRootLogin prohibit-password

            """.write(toFile: "\(directory)/sshd_config", atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
            let hostKey = try String(contentsOfFile: "\(directory)/host_key.pub", encoding: .utf8)
            try "[127.0.0.1]:\(port) \(hostKey)".write(toFile: "\(directory)/known_hosts", atomically: true, encoding: .utf8)
            try "".write(toFile: "\(directory)/empty_known_hosts", atomically: true, encoding: .utf8)
            let launcher = try ChildProcess.run(["/usr/sbin/sshd", "-f", "\(directory)/sshd_config"], captureOutput: false)
            try #require(launcher.status == 0 && !launcher.signaled, "sshd: \(launcher.errorText)")
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                if Self.canConnect(port) { return }
                usleep(20_000)
            }
            throw SandboxError("sshd did not start on port \(port)")
        }

        deinit {
            if let text = try? String(contentsOfFile: "\(directory)/sshd.pid", encoding: .utf8),
               let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                kill(pid, SIGTERM)
            }
        }

        func options(knownHosts: String? = nil) -> String {
            let hosts = knownHosts ?? "\(directory)/known_hosts"
            return "[-p, \"\(port)\", -i, \(directory)/client_key, -o, IdentitiesOnly=yes, -o, \"UserKnownHostsFile=\(hosts)\"]"
        }

        static func freePort() throws -> Int {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
            guard bound == 0 else { throw SandboxError("no free port") }
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            return Int(UInt16(bigEndian: address.sin_port))
        }

        static func canConnect(_ port: Int) -> Bool {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            } == 0
        }
    }

    struct SandboxError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func addTargets(_ box: Sandbox, _ yaml: String) throws {
        let path = "\(box.workspaceDir("app"))/workspace.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "targets: []\n", with: "targets:\n" + yaml)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test("sync writes an ssh target (0600, exact payload) and a command target; changes and unknown hosts")
    func sshAndCommand() throws {
        let box = try Sandbox("ssh")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        let sshDirectory = "\(box.root)/ssh"
        try FileManager.default.createDirectory(atPath: sshDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(box.root)/deploy", withIntermediateDirectories: true)
        let server = try SSHServer(in: sshDirectory)
        let remote = "\(box.root)/remote/app.env"
        try FileManager.default.createDirectory(atPath: "\(box.root)/remote", withIntermediateDirectories: true)
        try Self.addTargets(box, """
          - name: db1
            type: ssh
            host: root@127.0.0.1
            path: \(remote)
            options: \(server.options())
          - name: importer
            type: command
            command: [sh, -c, "cat > ../../deploy/imported.json"]
            format: json

        """)
        let canary = "CANARY-ssh-\(UUID().uuidString)"
        try box.set("API_KEY", "it's \"quoted\" $HOME")
        try box.set("TOKEN", canary)
        let first = try box.ok(["sync", "-i", alice.path])
        #expect(first.stdoutText.contains("db1 (ssh): written +API_KEY +TOKEN"), "\(first)")
        #expect(first.stdoutText.contains("importer (command): written +API_KEY +TOKEN"))
        #expect(try String(contentsOfFile: remote, encoding: .utf8) == "API_KEY='it\\'s \"quoted\" $HOME'\nTOKEN='\(canary)'\n")
        let mode = try FileManager.default.attributesOfItem(atPath: remote)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let imported = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(box.root)/deploy/imported.json"))) as? [String: String]
        #expect(imported == ["API_KEY": "it's \"quoted\" $HOME", "TOKEN": canary])

        let second = try box.ok(["sync", "-i", alice.path])
        #expect(second.stdoutText.contains("db1 (ssh): unchanged"))
        try box.set("TOKEN", canary + "-2")
        let third = try box.ok(["sync", "db1", "-i", alice.path])
        #expect(third.stdoutText.contains("db1 (ssh): written ~TOKEN"))
        #expect(try String(contentsOfFile: remote, encoding: .utf8).contains("TOKEN='\(canary)-2'"))

        // Host key checking stays on: an unknown host is refused, and nothing leaks in the error.
        try Self.addTargets(box, "")
        let path = "\(box.workspaceDir("app"))/workspace.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "\(sshDirectory)/known_hosts", with: "\(sshDirectory)/empty_known_hosts")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try box.set("TOKEN", canary + "-3")
        let refused = try box.run(["sync", "db1", "-i", alice.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("target 'db1': ssh to root@127.0.0.1 failed"), "\(refused)")
        #expect(!refused.stderr.contains(canary) && !refused.stdoutText.contains(canary))
        #expect(try String(contentsOfFile: remote, encoding: .utf8).contains("TOKEN='\(canary)-2'"))
        _ = server
    }

    @Test("a failing command reports its stderr with secret values redacted")
    func failingCommand() throws {
        let box = try Sandbox("cmd-fail")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        try Self.addTargets(box, """
          - name: echoer
            type: command
            command: [sh, -c, "cat >&2; exit 3"]

        """)
        let canary = "CANARY-cmd-\(UUID().uuidString)"
        try box.set("TOKEN", canary)
        let result = try box.run(["sync", "-i", alice.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("target 'echoer': 'sh' exited with status 3"), "\(result)")
        #expect(result.stderr.contains("[redacted]"))
        #expect(!result.stderr.contains(canary))
        #expect(!result.stdoutText.contains(canary))
    }
}
