import Foundation
import Testing

/// Loopseal keys are age X25519 keys: identities made by `age-keygen` work, and identities
/// made by `loopseal keygen` work with `age`.
@Suite("age interop")
struct AgeInteropTests {
    /// The path of an age tool. Missing tools FAIL the test: CI installs the Debian package `age`.
    static func tool(_ name: String) throws -> String {
        let candidates = ["/usr/bin/\(name)", "/usr/local/bin/\(name)", "/opt/homebrew/bin/\(name)"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" }
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
        return try #require(found, "\(name) is not installed (looked in /usr/bin and $PATH): install the 'age' package (apt-get install age); this test must not be skipped")
    }

    @Test("an age-keygen identity opens what loopseal sealed to its public key")
    func ageKeygenIdentity() throws {
        let ageKeygen = try Self.tool("age-keygen")
        let box = try Sandbox("age")
        defer { box.remove() }
        let identityPath = "\(box.root)/keys/age.key"
        let made = try box.runner.runTool(ageKeygen, ["-o", identityPath])
        try #require(made.status == 0, "\(made)")
        let text = try String(contentsOfFile: identityPath, encoding: .utf8)
        let publicLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("# public key: ") })
        let publicKey = String(publicLine.dropFirst("# public key: ".count))
        let secretKey = try #require(text.split(separator: "\n").first { $0.hasPrefix("AGE-SECRET-KEY-1") })
        #expect(publicKey.hasPrefix("age1"))

        try box.ok(["init", "interop", "--recipient", "age-user=\(publicKey)"])
        let value = "from age-keygen \(UUID())"
        try box.set("INTEROP", value)
        // Opening needs the secret key to derive exactly the public key age-keygen printed.
        let got = try box.ok(["get", "INTEROP", "--identity", identityPath])
        #expect(got.stdoutText == value)
        let viaEnv = try box.ok(["get", "INTEROP"], env: ["LOOPSEAL_IDENTITY": String(secretKey)])
        #expect(viaEnv.stdoutText == value)
        try box.ok(["verify", "--identity", identityPath])

        // age-keygen -y of the same file agrees with what loopseal sealed to.
        let derived = try box.runner.runTool(ageKeygen, ["-y", identityPath])
        #expect(derived.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == publicKey)
        let sealed = try String(contentsOfFile: box.sealedPath("interop", "INTEROP"), encoding: .utf8)
        #expect(sealed.contains("  \(publicKey): "), "the file is sealed to the age-keygen key:\n\(sealed)")
    }

    @Test("a loopseal keygen identity is a valid age identity")
    func loopsealKeygenWithAge() throws {
        let ageKeygen = try Self.tool("age-keygen")
        let age = try Self.tool("age")
        let box = try Sandbox("age")
        defer { box.remove() }
        let key = try box.keygen("mine")
        // age derives the same public key from loopseal's secret key.
        let derived = try box.runner.runTool(ageKeygen, ["-y", key.path])
        #expect(derived.status == 0, "\(derived)")
        #expect(derived.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == key.publicKey)
        // age encrypts to loopseal's public key and decrypts with loopseal's identity file.
        let message = Array("age round trip \(UUID())".utf8)
        let encrypted = try box.runner.runTool(age, ["-r", key.publicKey], stdin: message)
        try #require(encrypted.status == 0, "\(encrypted)")
        let decrypted = try box.runner.runTool(age, ["-d", "-i", key.path], stdin: encrypted.stdout)
        #expect(decrypted.status == 0, "\(decrypted)")
        #expect(decrypted.stdout == message)
        // Printing without -o gives an identity file age accepts too.
        let printed = try box.ok(["keygen"])
        let printedPath = "\(box.root)/keys/printed.key"
        try writeBytes(printed.stdout, to: printedPath)
        let printedPublic = try #require(printed.stdoutText.split(separator: "\n")
            .first { $0.hasPrefix("# public key: ") }.map { String($0.dropFirst("# public key: ".count)) })
        let derived2 = try box.runner.runTool(ageKeygen, ["-y", printedPath])
        #expect(derived2.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == printedPublic)
    }
}
