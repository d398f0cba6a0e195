import Foundation
import LoopsealCrypto
import Testing
@testable import LoopsealGit
import LoopsealStore

@Suite struct TokenDetectorTests {
    private func kinds(_ line: String) -> [String] {
        TokenDetector.scan(line: Array(line.utf8)).map(\.kind)
    }

    private func randomBase64(_ count: Int) -> String {
        String(Data(Random.bytes(count)).base64EncodedString().prefix(count))
    }

    @Test func entropyOfKnownStrings() {
        #expect(TokenDetector.entropy(Array("aaaa".utf8)) == 0)
        #expect(abs(TokenDetector.entropy(Array("abcd".utf8)) - 2) < 1e-9)
        #expect(abs(TokenDetector.entropy(Array("0123456789abcdef".utf8)) - 4) < 1e-9)
        #expect(TokenDetector.entropy([UInt8]()) == 0)
    }

    @Test func thresholdGrowsWithLengthAndCaps() {
        #expect(abs(TokenDetector.strongThreshold(length: 32) - 4.0) < 1e-9)
        #expect(abs(TokenDetector.strongThreshold(length: 64) - 4.8) < 1e-9)
        #expect(TokenDetector.strongThreshold(length: 500) == TokenDetector.strongThreshold(length: 64))
    }

    @Test func knownPrefixes() throws {
        let age = try Identity.generate().encodedSecretKey()
        let cases: [(String, String)] = [
            ("key = \(age)", "age secret key"),
            ("LOOPSEAL-SIGNING-KEY-1" + String(repeating: "QPZRY9X8GF", count: 6), "Loopseal signing key"),
            ("-----BEGIN OPENSSH PRIVATE KEY-----", "private key"),  // loopseal:allow (test fixture)
            ("-----BEGIN RSA PRIVATE KEY-----", "private key"),  // loopseal:allow (test fixture)
            ("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "AWS access key id"),  // loopseal:allow (test fixture)
            ("token: ghp_" + String(repeating: "aB3", count: 12), "GitHub token"),
            ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "GitHub token"),  // loopseal:allow (test fixture)
            ("SLACK=xoxb-123456789012-abcdefABCDEF", "Slack token"),  // loopseal:allow (test fixture)
            ("stripe sk_live_" + String(repeating: "a1B2", count: 6), "Stripe secret key"),
            ("lst_0123456789ab_" + String(repeating: "0123456789abcdef", count: 4), "Loopseal server token"),
            ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "JSON Web Token"),  // loopseal:allow (test fixture)
        ]
        for (line, kind) in cases {
            let found = kinds(line)
            #expect(found.contains { $0.contains(kind) }, "\(line) -> \(found)")
        }
    }

    @Test func prefixesNeedABody() {
        #expect(kinds("identities are AGE-SECRET-KEY-1… lines").isEmpty)
        #expect(kinds("tokens look like ghp_… or sk_live_…").isEmpty)
        #expect(kinds("-----BEGIN PUBLIC KEY-----").isEmpty)
        #expect(kinds("-----BEGIN CERTIFICATE-----").isEmpty)
        #expect(kinds("loopsealsign1 and age1 prefixes").isEmpty)
    }

    @Test func randomBase64IsFoundAnywhere() {
        // A fixed sample: a few random 40-character strings fall under the entropy threshold,
        // so a fresh sample each run made the count a coin toss around the bound.
        var generator = SeededBytes(seed: 0x5EED_1234)
        var found = 0
        for _ in 0..<200 {
            let sample = String(Data(generator.bytes(40)).base64EncodedString().prefix(40))
            if !kinds("x = \"\(sample)\"").isEmpty { found += 1 }
        }
        #expect(found >= 198)
        for _ in 0..<50 {
            let blob = String(Data(generator.bytes(64)).base64EncodedString().prefix(64))
            #expect(!kinds("blob: \(blob)==").isEmpty)
        }
    }

    @Test func shortRunsAreIgnored() {
        #expect(kinds("id: \(randomBase64(31))").isEmpty)
    }

    @Test func identifiersPathsAndWordsAreNotTokens() {
        for line in [
            "let configuration = getDefaultConfigurationForEnvironment2()",
            "X509_STORE_CTX_set0_trusted_stack(ctx, chain)",
            "BCM_mlkem1024_marshal_public_key",
            "see Sources/LoopsealGit/PreCommitCheck.swift and Tests/EndToEndTests/testdata/git_*.txt",
            "ThisIsAVeryLongIdentifierNameForTesting",
            "https://github.com/hummingbird-project/hummingbird/releases/tag/v2",
            "alice: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
            String(repeating: "A", count: 60),
        ] {
            #expect(kinds(line).isEmpty, "\(line)")
        }
    }

    @Test func hexNeedsASecretName() {
        let hex = Hash.hex(Random.bytes(32))
        #expect(kinds("revision: \(hex)").isEmpty)
        #expect(kinds("private static let alphabet = \"\(hex)\"").isEmpty)
        #expect(kinds("uses: actions/checkout@\(Hash.hex(Random.bytes(20)))").isEmpty)
        #expect(!kinds("api_key = \"\(hex)\"").isEmpty)
        #expect(!kinds("CLIENT_SECRET=\(hex)").isEmpty)
    }

    @Test func exemptions() {
        #expect(kinds("\"integrity\": \"sha512-\(randomBase64(86))==\"").isEmpty)
        #expect(kinds("<img src=\"data:image/png;base64,\(randomBase64(80))\">").isEmpty)
        #expect(kinds("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ\(randomBase64(40)) alice@laptop").isEmpty)
    }

    @Test func allowMarkerSilencesTheLine() {
        let line = "test_key = \"\(randomBase64(48))\"  # loopseal:allow (test fixture)"
        #expect(kinds(line).isEmpty)
        #expect(!kinds(String(line.prefix(while: { $0 != "#" }))).isEmpty)
    }

    @Test func findingsNeverCarryTheToken() throws {
        let token = randomBase64(48)
        for finding in TokenDetector.scan(line: Array("x=\(token)".utf8)) {
            #expect(!finding.kind.contains(token))
            #expect(finding.column == 3)
            #expect(finding.length == 48)
        }
    }
}

@Suite struct EnvFileDetectorTests {
    @Test func namesByKind() {
        for path in [".env", "deploy/.env", ".env.production", "config/app.env", "prod.env"] {
            #expect(EnvFileDetector.kind(ofPath: path) == .env, "\(path)")
        }
        for path in [".env.example", "x/.env.sample", ".env.template", ".env.production.example", "app.env.example"] {
            #expect(EnvFileDetector.kind(ofPath: path) == .template, "\(path)")
        }
        for path in [".envrc", "environment.ts", "README.md", ".env-tools/readme", "env", "x.envelope", ".env.d/readme.md"] {
            #expect(EnvFileDetector.kind(ofPath: path) == .other, "\(path)")
        }
    }

    @Test func assignments() {
        #expect(EnvFileDetector.assignment("API_TOKEN=abc", line: 1)?.value == "abc")
        #expect(EnvFileDetector.assignment("export DB_URL=\"postgres://x\"", line: 1)?.value == "postgres://x")
        #expect(EnvFileDetector.assignment("  NAME='a b' ", line: 1)?.value == "a b")
        #expect(EnvFileDetector.assignment("PORT=8080 # comment", line: 1)?.value == "8080")
        #expect(EnvFileDetector.assignment("lower=value", line: 1) == nil)
        #expect(EnvFileDetector.assignment("CC = gcc", line: 1) == nil)
        #expect(EnvFileDetector.assignment("if [ \"$X\" = 1 ]", line: 1) == nil)
    }

    @Test func contentRule() {
        #expect(EnvFileDetector.envLikeContent("# app\nDB_PASSWORD=hunter2\nAPI_TOKEN=abc123\n") != nil)
        #expect(EnvFileDetector.envLikeContent("export A=1\nexport B=2\necho hi\n") != nil)
        #expect(EnvFileDetector.envLikeContent("ONLY=one\n") == nil)
        #expect(EnvFileDetector.envLikeContent("A=\nB=\nC=\n") == nil)
        #expect(EnvFileDetector.envLikeContent("A=<a>\nB=changeme\n") == nil)
        #expect(EnvFileDetector.envLikeContent("all:\n\tswift build\nA=1\ntest:\n\tswift test\n") == nil)
        #expect(EnvFileDetector.envLikeContent("A=1\nB=2 # loopseal:allow\nrun\nrun\n") == nil)
    }

    @Test func placeholders() {
        for value in ["", "<your token>", "${DB_PASSWORD}", "$TOKEN", "{{ token }}", "xxxxxxxx", "****", "changeme",
                      "your-api-key-here", "example", "REPLACE_ME", "TODO"] {
            #expect(EnvFileDetector.isPlaceholder(value), "\(value)")
        }
        for value in ["hunter2", "s3cr3t-Value", "8080"] {
            #expect(!EnvFileDetector.isPlaceholder(value), "\(value)")
        }
    }

    @Test func templates() {
        let good = "DB_PASSWORD=\nAPI_KEY=<api key>\nPORT=8080\nLOG_LEVEL=info\nDATABASE_URL=postgres://user:password@localhost/db\n"
        #expect(EnvFileDetector.templateProblems(good).isEmpty)
        let bad = "PORT=8080\nDB_PASSWORD=hunter2\nDATABASE_URL=postgres://app:Zx81-kq@db.internal/app\n"
        #expect(EnvFileDetector.templateProblems(bad).map(\.key) == ["DB_PASSWORD", "DATABASE_URL"])
        #expect(EnvFileDetector.templateProblems(bad).map(\.line) == [2, 3])
    }

    @Test func secretNames() {
        for key in ["DB_PASSWORD", "API_KEY", "GITHUB_TOKEN", "CLIENT_SECRET", "STRIPE_APIKEY", "JWT_SIGNING_KEY", "SENTRY_DSN"] {
            #expect(EnvFileDetector.namesSecret(key), "\(key)")
        }
        for key in ["PORT", "LOG_LEVEL", "DATABASE_HOST", "MONKEY_COUNT", "NODE_ENV"] {
            #expect(!EnvFileDetector.namesSecret(key), "\(key)")
        }
    }
}

@Suite struct PreCommitCheckTests {
    private func file(_ path: String, _ text: String, previous: String? = nil) -> StagedFile {
        StagedFile(path: path, content: Array(text.utf8), previous: previous.map { Array($0.utf8) })
    }

    private func sealedFixture() throws -> (config: String, alice: Identity, bob: Identity, sealed: (String, [Identity]) throws -> String) {
        let alice = try Identity.generate()
        let bob = try Identity.generate()
        let config = "workspace: prod\nrecipients:\n  alice: \(alice.publicKey)\n  bob: \(bob.publicKey)\ntargets: []\n"
        let sealed: (String, [Identity]) throws -> String = { key, to in
            let secret = try SecretSealer(workspaceID: "prod").seal(id: UUID().uuidString.lowercased(), key: key,
                                                                    value: try SecureBytes(copying: Array("v".utf8)),
                                                                    to: to.map(\.publicKey))
            return String(decoding: SealedSecretCodec.encode(secret), as: UTF8.self)
        }
        return (config, alice, bob, sealed)
    }

    @Test func onlyAddedLinesAreScanned() {
        let token = "ghp_" + String(repeating: "aB3", count: 12)
        let old = "line one\nkey: \(token)\n"
        let problems = PreCommitCheck(workspaceFiles: [:]).problems(staged: [file("notes.txt", old + "more\n", previous: old)])
        #expect(problems.isEmpty)
        let again = PreCommitCheck(workspaceFiles: [:]).problems(staged: [file("notes.txt", old + "again: \(token)\n", previous: old)])
        #expect(again.map(\.line) == [3])
        #expect(again.first?.path == "notes.txt")
        #expect(again.first.map { !$0.description.contains(token) } == true)
    }

    @Test func lockFilesAndCertificatesSkipEntropy() {
        let hexish = Data(Random.bytes(48)).base64EncodedString()
        let lock = PreCommitCheck(workspaceFiles: [:]).problems(staged: [file("Package.resolved", "\"x\": \"\(hexish)\"\n")])
        #expect(lock.isEmpty)
        let pem = "-----BEGIN CERTIFICATE-----\n\(hexish)\n\(hexish)\n-----END CERTIFICATE-----\n"
        #expect(PreCommitCheck(workspaceFiles: [:]).problems(staged: [file("ca.pem", pem)]).isEmpty)
        let key = "-----BEGIN PRIVATE KEY-----\n\(hexish)\n-----END PRIVATE KEY-----\n"  // loopseal:allow (test fixture)
        #expect(PreCommitCheck(workspaceFiles: [:]).problems(staged: [file("k.pem", key)]).map(\.line) == [1])
    }

    @Test func envFilesAndBinaries() {
        let check = PreCommitCheck(workspaceFiles: [:])
        #expect(check.problems(staged: [file("app/.env", "")]).map(\.path) == ["app/.env"])
        #expect(check.problems(staged: [file(".env.example", "TOKEN=\nPORT=3000\n")]).isEmpty)
        #expect(check.problems(staged: [file(".env.example", "TOKEN=abc\n")]).map(\.line) == [1])
        #expect(check.problems(staged: [file("config.txt", "A_KEY=one\nB_KEY=two\n")]).count == 1)
        #expect(check.problems(staged: [StagedFile(path: "x.bin", content: [0, 1] + Array("A=1\nB=2\n".utf8))]).isEmpty)
    }

    @Test func sealedFilesParseAndMatchRecipients() throws {
        let fixture = try sealedFixture()
        let check = PreCommitCheck(workspaceFiles: ["prod": Array(fixture.config.utf8)])
        let good = try fixture.sealed("API", [fixture.alice, fixture.bob])
        #expect(check.problems(staged: [file("workspaces/prod/secrets/API.sealed", good)]).isEmpty)

        let broken = good.replacingOccurrences(of: "loopseal: 1", with: "loopseal: 1\nextra: field")
        let parse = check.problems(staged: [file("workspaces/prod/secrets/API.sealed", broken)])
        #expect(parse.count == 1)
        #expect(parse.first?.line == 3)
        #expect(parse.first?.description.hasPrefix("workspaces/prod/secrets/API.sealed:3:") == true)

        let renamed = check.problems(staged: [file("workspaces/prod/secrets/OTHER.sealed", good)])
        #expect(renamed.first?.message.contains("holds key 'API'") == true)

        let stranger = try Identity.generate()
        let wrong = try fixture.sealed("API", [fixture.alice, stranger])
        let recipients = check.problems(staged: [file("workspaces/prod/secrets/API.sealed", wrong)])
        #expect(recipients.count == 1)
        #expect(recipients.first?.message.contains(String(stranger.publicKey.description.prefix(12))) == true)
        #expect(recipients.first?.message.contains("not sealed to bob") == true)
    }

    @Test func sealedFilesNeedTheirWorkspaceFile() throws {
        let fixture = try sealedFixture()
        let good = try fixture.sealed("API", [fixture.alice, fixture.bob])
        let missing = PreCommitCheck(workspaceFiles: ["prod": [UInt8]?.none])
            .problems(staged: [file("workspaces/prod/secrets/API.sealed", good)])
        #expect(missing.first?.message.contains("not in the index") == true)
        let broken = PreCommitCheck(workspaceFiles: ["prod": Array("workspace: [".utf8)])
            .problems(staged: [file("workspaces/prod/workspace.yaml", "workspace: ["), file("workspaces/prod/secrets/API.sealed", good)])
        #expect(broken.map(\.path) == ["workspaces/prod/secrets/API.sealed", "workspaces/prod/workspace.yaml"])
    }

    @Test func signaturesAreCheckedWhenWritersAreListed() throws {
        let fixture = try sealedFixture()
        let writer = try SigningKey.generate()
        let stranger = try SigningKey.generate()
        let config = fixture.config.replacingOccurrences(of: "targets: []", with: "writers:\n  alice: \(writer.publicKey)\ntargets: []")
        let check = PreCommitCheck(workspaceFiles: ["prod": Array(config.utf8)])
        let unsigned = try fixture.sealed("API", [fixture.alice, fixture.bob])
        let path = "workspaces/prod/secrets/API.sealed"
        #expect(check.problems(staged: [file(path, unsigned)]).first?.message.hasPrefix("refused: not signed") == true)
        let secret = try SealedSecretCodec.decode(Array(unsigned.utf8), file: path)
        let signatures = WriterSignatures(workspaceID: "prod", writers: [Writer(name: "alice", publicKey: writer.publicKey)])
        let signed = String(decoding: SealedSecretCodec.encode(signatures.sign(secret, with: writer)), as: UTF8.self)
        #expect(check.problems(staged: [file(path, signed)]).isEmpty)
        let byStranger = String(decoding: SealedSecretCodec.encode(signatures.sign(secret, with: stranger)), as: UTF8.self)
        #expect(check.problems(staged: [file(path, byStranger)]).first?.message.contains("not a writer") == true)
        let view = SealedTextView(root: nil, identities: []).render(Array(signed.utf8), path: path)
        #expect(view.contains("signed by: unknown (loopsealsign"))
    }

    @Test func unchangedSealedFilesAreCheckedWhenWorkspaceChanges() throws {
        let fixture = try sealedFixture()
        let onlyAlice = try fixture.sealed("API", [fixture.alice])
        let problems = PreCommitCheck(workspaceFiles: ["prod": Array(fixture.config.utf8)])
            .problems(staged: [file("workspaces/prod/workspace.yaml", fixture.config)],
                      alsoSealed: [file("workspaces/prod/secrets/API.sealed", onlyAlice)])
        #expect(problems.map(\.path) == ["workspaces/prod/secrets/API.sealed"])
    }

    @Test func rawDiffParsing() {
        let zero = String(repeating: "0", count: 40)
        let a = String(repeating: "a", count: 40)
        let b = String(repeating: "b", count: 40)
        let raw = ":000000 100644 \(zero) \(a) A\u{0}new file.txt\u{0}"
            + ":100644 100644 \(a) \(b) M\u{0}mod.txt\u{0}"
            + ":100644 100644 \(a) \(b) R087\u{0}old.txt\u{0}renamed.txt\u{0}"
            + ":000000 120000 \(zero) \(a) A\u{0}link\u{0}"
            + ":000000 160000 \(zero) \(a) A\u{0}submodule\u{0}"
        let changes = StagedIndex.parseRaw(Array(raw.utf8))
        #expect(changes.map(\.path) == ["new file.txt", "mod.txt", "renamed.txt"])
        #expect(changes.map(\.oldBlob) == [nil, a, a])
        #expect(changes.map(\.newBlob) == [a, b, b])
    }
}

@Suite struct FingerprintTests {
    @Test func keyedToIdentityContextAndValue() throws {
        let alice = try Identity.generate()
        let bob = try Identity.generate()
        let value = try SecureBytes(copying: Array("hunter2".utf8))
        let context = Array("prod/DB_PASSWORD".utf8)
        let one = try alice.keyedHash(purpose: SealedTextView.fingerprintPurpose, context: context, message: value)
        #expect(one == (try alice.keyedHash(purpose: SealedTextView.fingerprintPurpose, context: context, message: value)))
        #expect(one != (try bob.keyedHash(purpose: SealedTextView.fingerprintPurpose, context: context, message: value)))
        #expect(one != (try alice.keyedHash(purpose: SealedTextView.fingerprintPurpose, context: Array("prod/OTHER".utf8), message: value)))
        #expect(one != (try alice.keyedHash(purpose: "other", context: context, message: value)))
        #expect(one != Hash.blake2b(Array("prod/DB_PASSWORD".utf8) + Array("hunter2".utf8), length: 16))
        #expect(one.count == 16)
    }

    @Test func viewWithAndWithoutIdentity() throws {
        let workspace = try TempWorkspace(recipients: 2)
        _ = try workspace.service.upsert(key: "API", value: try secure("canary-value-123"))
        let bytes = try FileIO.contents(try workspace.path("API"))
        let path = try workspace.path("API")
        let blind = SealedTextView(root: workspace.root, identities: []).render(bytes, path: path)
        #expect(blind.contains("key: API\n"))
        #expect(blind.contains("workspace: test\n"))
        #expect(blind.contains("  alice\n  bob\n"))
        #expect(blind.contains("fingerprint: ciphertext "))
        #expect(!blind.contains("canary"))
        let keyed = SealedTextView(root: workspace.root, identities: [workspace.alice]).render(bytes, path: path)
        #expect(keyed.contains("keyed BLAKE2b of the value"))
        #expect(!keyed.contains("canary"))
        let resealed = try FileIO.contents(try workspace.path("API"))
        _ = try workspace.service.upsert(key: "API", value: try secure("canary-value-123"))
        let again = SealedTextView(root: workspace.root, identities: [workspace.alice])
            .render(try FileIO.contents(try workspace.path("API")), path: "/tmp/git-blob-x/API.sealed")
        #expect(resealed != (try FileIO.contents(try workspace.path("API"))))
        #expect(again == keyed)
        let revealed = SealedTextView(root: workspace.root, identities: [workspace.bob], reveal: true).render(bytes, path: path)
        #expect(revealed.contains("value: \"canary-value-123\"\n"))
        let broken = SealedTextView(root: workspace.root, identities: []).render(Array("loopseal: 1\nid: x\n".utf8), path: path)
        #expect(broken.hasPrefix("loopseal: this sealed file does not parse: line 2"))
        #expect(broken.split(separator: "\n").count == 1)
    }
}

/// Deterministic bytes (SplitMix64) for samples that must be the same every run.
private struct SeededBytes {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return UInt8(truncatingIfNeeded: z ^ (z >> 31))
        }
    }
}
