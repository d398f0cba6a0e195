import Foundation
import LoopsealCrypto
import Testing
@testable import LoopsealStore

/// Secret metadata (issue 18): the date and period grammar, format 2 in the file, `rotated`
/// moving only when the value changes, and the writer signature covering every metadata byte.
@Suite struct SecretMetadataTests {
    static func date(_ text: String) throws -> CalendarDate { try #require(CalendarDate(string: text)) }

    /// A service whose clock says `today`.
    static func service(_ workspace: Workspace, today: String, signingKey: SigningKey? = nil) -> SecretService {
        let environment = signingKey.map { ["LOOPSEAL_SIGNING_KEY": $0.encodedSecretKey()] } ?? [:]
        return SecretService(workspace: workspace, signingKeys: SigningKeyLoader(environment: environment),
                             today: { try SecretMetadataTests.date(today) })
    }

    @Test func datesParseOnlyInTheirOneSpellingAndCount() throws {
        for bad in ["2027-02-30", "2027-13-01", "2027-1-01", "27-01-01", "2027-01-01 ", "0000-01-01", "2027/01/01", ""] {
            #expect(CalendarDate(string: bad) == nil, "\(bad)")
        }
        let leap = try Self.date("2028-02-29")
        #expect(leap.description == "2028-02-29")
        #expect(try Self.date("1970-01-01").daysSinceEpoch == 0)
        #expect(try Self.date("2027-01-01").adding(days: -100).description == "2026-09-23")
        #expect(try Self.date("2027-01-31").adding(months: 1).description == "2027-02-28")
        #expect(CalendarDate(daysSinceEpoch: leap.daysSinceEpoch) == leap)
        #expect(try Self.date("2026-12-31") < Self.date("2027-01-01"))
    }

    @Test func periodsAreANumberAndAUnit() throws {
        for (text, after) in [("90d", "2027-04-01"), ("12w", "2027-03-26"), ("6m", "2027-07-01"), ("1y", "2028-01-01")] {
            let period = try #require(RotationPeriod(string: text))
            #expect(period.description == text)
            #expect(period.after(try Self.date("2027-01-01")).description == after, "\(text)")
        }
        for bad in ["90", "d", "0d", "090d", "90D", "9 d", "10000d", "1.5d", "-1d", "90dd", "1h"] {
            #expect(RotationPeriod(string: bad) == nil, "\(bad)")
        }
    }

    @Test func ownersAreNamesOrEmails() {
        for good in ["alice", "ci-deploy", "ops@example.com", "first.last+tag@mail.example.org"] {
            #expect(SecretMetadata.isValidOwner(good), "\(good)")
        }
        for bad in ["", "-alice", "alice bob", "a@b", "@example.com", "ops@", "ops@@example.com", "ops@example.com.", "ål"] {
            #expect(!SecretMetadata.isValidOwner(bad), "\(bad)")
        }
        #expect(SecretMetadata.isValidDescription("Mail relay \"app\" \\ é"))
        for bad in ["", " x", "x ", "two\nlines", "tab\there", "nel\u{85}", String(repeating: "x", count: 501)] {
            #expect(!SecretMetadata.isValidDescription(bad))
        }
    }

    @Test func aFileWithoutMetadataIsFormatOneByteForByte() throws {
        let ws = try TempWorkspace()
        try Self.service(ws.workspace, today: "2027-01-01").upsert(key: "A", value: try secure("a"))
        let text = try ws.text("A")
        #expect(text.contains("\nloopseal: 1\n"))
        for field in SealedSecretCodec.metadataFields { #expect(!text.contains("\n\(field):")) }
        let decoded = try SealedSecretCodec.decode(Array(text.utf8), file: "A")
        #expect(decoded.metadata.isEmpty)
        #expect(SealedSecretCodec.encode(decoded) == Array(text.utf8))
    }

    @Test func metadataIsFormatTwoAndReadsBackOnEitherPath() throws {
        var secret = SealedSecret(id: "3e5a7c9b-1d3f-4b5d-8f7a-9c1e3a5b7d9f", key: "K", value: nil, recipients: [:])
        secret.metadata = SecretMetadata(owner: "ops@example.com", expires: try Self.date("2027-03-01"),
                                         rotateEvery: RotationPeriod(string: "90d"), rotated: try Self.date("2026-12-01"),
                                         description: "Say \"hi\" \\ ünïcode")
        let bytes = SealedSecretCodec.encode(secret)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\nloopseal: 2\n"))
        #expect(text.hasSuffix("owner: ops@example.com\nexpires: 2027-03-01\nrotateEvery: 90d\nrotated: 2026-12-01\ndescription: \"Say \\\"hi\\\" \\\\ ünïcode\"\n"))
        #expect(SealedSecretCodec.scan(bytes) != nil, "the line scanner reads what encode writes")
        #expect(try SealedSecretCodec.decode(bytes, file: "K") == secret)
        let respelled = """
            loopseal: 2
            description: 'Say "hi" \\ ünïcode'
            rotated: "2026-12-01"
            key: K
            id: 3e5a7c9b-1d3f-4b5d-8f7a-9c1e3a5b7d9f
            owner: ops@example.com
            rotateEvery: 90d
            expires: 2027-03-01

            """
        #expect(SealedSecretCodec.scan(Array(respelled.utf8)) == nil)
        #expect(try SealedSecretCodec.decode(Array(respelled.utf8), file: "K") == secret)
    }

    @Test func badMetadataInAFileIsRefusedWithItsPlace() throws {
        let base = "loopseal: 2\nid: 3e5a7c9b-1d3f-4b5d-8f7a-9c1e3a5b7d9f\nkey: K\n"
        for (line, expected) in [("expires: 2027-02-30", "'expires' must be a date"), ("rotateEvery: 90", "'rotateEvery' must be"),
                                 ("owner: -x", "'owner' must be"), ("description: \"a\\tb\"", "'description' must be one line")] {
            let error = #expect(throws: StoreError.self) { try SealedSecretCodec.decode(Array((base + line + "\n").utf8), file: "K.sealed") }
            #expect(error?.description.contains("K.sealed:4:") == true, "\(line): \(String(describing: error))")
            #expect(error?.description.contains(expected) == true, "\(line): \(String(describing: error))")
        }
        let formatOne = #expect(throws: StoreError.self) {
            try SealedSecretCodec.decode(Array("loopseal: 1\nid: 3e5a7c9b-1d3f-4b5d-8f7a-9c1e3a5b7d9f\nkey: K\nowner: alice\n".utf8), file: "K.sealed")
        }
        #expect(formatOne?.description.contains("needs 'loopseal: 2'") == true)
        let empty = #expect(throws: StoreError.self) { try SealedSecretCodec.decode(Array(base.utf8), file: "K.sealed") }
        #expect(empty?.description.contains("format 2 without metadata") == true)
    }

    @Test func setMetadataLeavesTheValueByteForByte() throws {
        let ws = try TempWorkspace(recipients: 2)
        let service = Self.service(ws.workspace, today: "2027-01-01")
        try service.upsert(key: "DB", value: try secure("canary-value-1"))
        let before = try SealedSecretCodec.decode(try FileIO.contents(try ws.path("DB")), file: "DB")
        let stored = try service.setMetadata(key: "DB") { $0.owner = "alice"; $0.rotateEvery = RotationPeriod(string: "90d") }
        let after = try SealedSecretCodec.decode(try FileIO.contents(try ws.path("DB")), file: "DB")
        #expect(after == stored)
        #expect(after.value == before.value)
        #expect(after.recipients == before.recipients)
        #expect(after.id == before.id)
        #expect(after.metadata == SecretMetadata(owner: "alice", rotateEvery: RotationPeriod(string: "90d")), "no rotated: the value did not change")
        let valueLine = try ws.text("DB").split(separator: "\n").first { $0.hasPrefix("value: ") }
        #expect(valueLine.map { "\($0)\n" }.map { text in
            String(decoding: SealedSecretCodec.encode(before), as: UTF8.self).contains(text) } == true)
        #expect(try plain(service.reveal(key: "DB", identities: [ws.alice])) == "canary-value-1")

        let unchanged = try FileIO.contents(try ws.path("DB"))
        try service.setMetadata(key: "DB") { $0.owner = "alice" }
        #expect(try FileIO.contents(try ws.path("DB")) == unchanged, "an edit that changes nothing writes nothing")
        try service.setMetadata(key: "DB") { $0 = SecretMetadata() }
        #expect(try ws.text("DB").contains("\nloopseal: 1\n"), "no metadata left: back to format 1")
        #expect(#expect(throws: StoreError.self) { try service.setMetadata(key: "NOPE") { $0.owner = "a" } } == .secretNotFound(key: "NOPE", workspace: "test"))
    }

    @Test func rotatedMovesOnlyWhenTheValueChanges() throws {
        let ws = try TempWorkspace()
        try Self.service(ws.workspace, today: "2026-09-23").upsert(key: "K", value: try secure("one"))
        try Self.service(ws.workspace, today: "2026-09-23").setMetadata(key: "K") { $0.rotateEvery = RotationPeriod(string: "90d") }
        try Self.service(ws.workspace, today: "2026-10-01").upsert(key: "K", value: try secure("two"), identities: [ws.alice])
        #expect(try ws.service.find(key: "K")?.metadata.rotated == Self.date("2026-10-01"))
        let bytes = try FileIO.contents(try ws.path("K"))
        let outcome = try Self.service(ws.workspace, today: "2026-12-01").set(key: "K", value: try secure("two"), identities: [ws.alice])
        #expect(outcome == .unchanged)
        #expect(try FileIO.contents(try ws.path("K")) == bytes, "the same value: untouched, rotated stays")
        try Self.service(ws.workspace, today: "2026-12-02").upsert(key: "K", value: try secure("three"))
        let secret = try #require(try ws.service.find(key: "K"))
        #expect(secret.metadata.rotated == (try Self.date("2026-12-02")))
        #expect(secret.metadata.rotateEvery == RotationPeriod(string: "90d"), "a new value keeps the metadata")
        #expect(try ws.service.keys().first?.metadata == secret.metadata)
    }

    @Test func metadataChangedByANonWriterIsRefusedOnRead() throws {
        let ws = try SignedWorkspace()
        try SecretMetadataTests.service(ws.workspace, today: "2027-01-01", signingKey: ws.ci).upsert(key: "DB", value: try secure("canary-db"))
        try SecretMetadataTests.service(ws.workspace, today: "2027-01-01", signingKey: ws.ci).setMetadata(key: "DB") { $0.owner = "alice" }
        let signed = try ws.read("DB")
        #expect(signed.signature?.writer == ws.ci.publicKey)
        try WriterSignatures(try ws.workspace.loadConfig()).verify(signed, file: "DB")

        // Tampered metadata bytes under ci's signature.
        let original = try FileIO.contents(try ws.path("DB"))
        let tampered = String(decoding: original, as: UTF8.self).replacingOccurrences(of: "owner: alice", with: "owner: mallory")
        try FileIO.writeAtomically(Array(tampered.utf8), to: try ws.path("DB"))
        guard case .badSignature? = ws.refusal("DB") else { Issue.record("tampered owner must be a bad signature"); return }

        // A non-writer re-signs a metadata change.
        var forged = signed
        forged.metadata.rotateEvery = RotationPeriod(string: "520w")
        try ws.write(WriterSignatures(try ws.workspace.loadConfig()).sign(forged, with: ws.mallory), as: "DB")
        guard case .signedByNonWriter? = ws.refusal("DB") else { Issue.record("a non-writer's metadata must be refused"); return }

        // meta with a non-writer's key writes nothing, and never re-signs a forged file.
        try FileIO.writeAtomically(original, to: try ws.path("DB"))
        let refused = #expect(throws: StoreError.self) {
            try SecretMetadataTests.service(ws.workspace, today: "2027-01-01", signingKey: ws.mallory).setMetadata(key: "DB") { $0.owner = "bob" }
        }
        guard case .notAWriter? = refused else { Issue.record("expected notAWriter, got \(String(describing: refused))"); return }
        #expect(try FileIO.contents(try ws.path("DB")) == original)
        try FileIO.writeAtomically(Array(tampered.utf8), to: try ws.path("DB"))
        let resigned = #expect(throws: StoreError.self) {
            try SecretMetadataTests.service(ws.workspace, today: "2027-01-01", signingKey: ws.ci).setMetadata(key: "DB") { $0.owner = "bob" }
        }
        guard case .badSignature? = resigned else { Issue.record("expected badSignature, got \(String(describing: resigned))"); return }
    }

    /// A value write by a writer must not carry forward (and sign) metadata a non-writer forged.
    @Test func aWriteNeverSignsForgedMetadata() throws {
        let ws = try SignedWorkspace()
        let writer = SecretMetadataTests.service(ws.workspace, today: "2027-01-01", signingKey: ws.ci)
        try writer.upsert(key: "DB", value: try secure("canary-db"))
        try writer.setMetadata(key: "DB") { $0.owner = "alice"; $0.rotateEvery = RotationPeriod(string: "90d") }
        var forged = try ws.read("DB")
        forged.metadata.rotateEvery = RotationPeriod(string: "520w")
        try ws.write(WriterSignatures(try ws.workspace.loadConfig()).sign(forged, with: ws.mallory), as: "DB")

        try writer.upsert(key: "DB", value: try secure("canary-db-2"))
        let written = try ws.read("DB")
        try WriterSignatures(try ws.workspace.loadConfig()).verify(written, file: "DB")
        #expect(written.metadata.rotateEvery != RotationPeriod(string: "520w"))
        #expect(written.metadata.isEmpty)

        // Signed metadata is kept across a value change, with `rotated` moved to today.
        try writer.setMetadata(key: "DB") { $0.owner = "alice" }
        try writer.upsert(key: "DB", value: try secure("canary-db-3"))
        #expect(try ws.read("DB").metadata.owner == "alice")
    }

    @Test func listingShowsMetadataAndNeverAValue() throws {
        let ws = try TempWorkspace()
        let service = Self.service(ws.workspace, today: "2027-01-01")
        try service.upsert(key: "K", value: try secure("canary-listing-7f3a"))
        try service.setMetadata(key: "K") { $0.owner = "alice"; $0.expires = CalendarDate(string: "2027-03-01"); $0.description = "the key" }
        let json = String(decoding: try JSONEncoder().encode(try service.keys()), as: UTF8.self)
        #expect(json.contains("\"owner\":\"alice\""))
        #expect(json.contains("\"expires\":\"2027-03-01\""))
        #expect(json.contains("\"description\":\"the key\""))
        #expect(!json.contains("canary-listing-7f3a"))
        let decoded = try JSONDecoder().decode([SecretKeyInfo].self, from: Data(json.utf8))
        #expect(decoded == (try service.keys()))
    }
}
