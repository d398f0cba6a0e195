import Foundation
import LoopsealCrypto
import LoopsealKit
import LoopsealStore
import Testing

/// `loopseal due` and the metadata flags (issue 18, must hold 1 and 3): the due computation with a
/// fixed clock, flags checked before anything is written, and forged metadata left out.
@Suite struct RotationDueTests {
    final class Team {
        let scratch: KitScratch
        let alice: Identity
        let workspace: Workspace

        init(writer: SigningKey? = nil) throws {
            scratch = try KitScratch()
            alice = try Identity.generate()
            workspace = try Workspace.create(root: scratch.path, id: "ws", recipients: [Recipient(name: "alice", publicKey: alice.publicKey)])
            if let writer {
                var config = try workspace.loadConfig()
                config.writers = [Writer(name: "ci", publicKey: writer.publicKey)]
                try workspace.saveConfig(config)
            }
        }

        func service(today: String, signingKey: SigningKey? = nil) -> SecretService {
            let environment = signingKey.map { ["LOOPSEAL_SIGNING_KEY": $0.encodedSecretKey()] } ?? [:]
            return SecretService(workspace: workspace, signingKeys: SigningKeyLoader(environment: environment),
                                 today: { try #require(CalendarDate(string: today)) })
        }

        func set(_ key: String, _ value: String, today: String, owner: String? = nil, rotateEvery: String? = nil,
                 expires: String? = nil, signingKey: SigningKey? = nil) throws {
            let edit = try MetadataEdit.parse(owner: owner, expires: expires, noExpires: false, rotateEvery: rotateEvery,
                                              description: nil, config: try workspace.loadConfig())
            _ = try SecretMetadataUpdate.set(key: key, value: try SecureBytes(copying: Array(value.utf8)), identities: [alice],
                                             edit: edit, service: service(today: today, signingKey: signingKey))
        }
    }

    static func date(_ text: String) throws -> CalendarDate { try #require(CalendarDate(string: text)) }

    @Test func setHundredDaysAgoWithNinetyDaysIsOverdueAndYesterdayIsNot() throws {
        let team = try Team()
        try team.set("OLD", "canary-old", today: "2026-09-23", owner: "alice", rotateEvery: "90d")
        try team.set("NEW", "canary-new", today: "2026-12-31", owner: "alice", rotateEvery: "90d")
        let report = try RotationDue.report(service: team.service(today: "2027-01-01"), within: .days(14))
        #expect(report.secrets.map(\.key) == ["OLD"])
        #expect(report.secrets.first?.status == .overdue)
        #expect(report.secrets.first?.dueDate == (try Self.date("2026-12-22")))
        #expect(report.secrets.first?.daysLeft == -10)
        #expect(report.hasOverdue)

        let wide = try RotationDue.report(service: team.service(today: "2027-01-01"), within: try #require(RotationPeriod(string: "13w")))
        #expect(wide.secrets.map(\.key) == ["OLD", "NEW"])
        #expect(wide.secrets.last?.status == .due)

        let earlier = try RotationDue.report(service: team.service(today: "2026-12-21"), within: .days(14))
        #expect(earlier.secrets.map(\.status) == [.due])
        #expect(!earlier.hasOverdue, "due but not overdue: --fail passes")
    }

    @Test func theEarlierDateWinsAndDueDayIsOverdue() throws {
        let metadata = SecretMetadata(expires: try Self.date("2027-01-10"), rotateEvery: RotationPeriod(string: "90d"),
                                      rotated: try Self.date("2026-12-01"))
        let onTheDay = RotationDue.entry(for: "K", metadata, today: try Self.date("2027-01-10"), within: .days(14))
        #expect(onTheDay?.status == .overdue)
        #expect(onTheDay?.reason == .expires)
        #expect(RotationDue.entry(for: "K", metadata, today: try Self.date("2026-12-27"), within: .days(14))?.status == .due)
        #expect(RotationDue.entry(for: "K", metadata, today: try Self.date("2026-12-26"), within: .days(14)) == nil)
        #expect(RotationDue.entry(for: "K", SecretMetadata(owner: "alice"), today: try Self.date("2027-01-01"), within: .days(14)) == nil)
        let unknown = RotationDue.entry(for: "K", SecretMetadata(rotateEvery: RotationPeriod(string: "30d")),
                                        today: try Self.date("2027-01-01"), within: .days(14))
        #expect(unknown?.status == .unknown)
        #expect(unknown?.reason == .rotatedUnknown)
        #expect(unknown?.dueDate == nil)
    }

    @Test func reportGroupsByOwnerWithNoOwnerLast() throws {
        let team = try Team()
        try team.set("Z_OPS", "v", today: "2026-01-01", owner: "ops@example.com", rotateEvery: "30d")
        try team.set("A_NONE", "v", today: "2026-01-01", rotateEvery: "30d")
        try team.set("B_ALICE", "v", today: "2026-01-01", owner: "alice", expires: "2026-01-05")
        try team.set("C_ALICE", "v", today: "2026-01-01", owner: "alice", rotateEvery: "1w")
        let report = try RotationDue.report(service: team.service(today: "2026-03-01"), within: .days(14))
        #expect(report.byOwner.map(\.owner) == ["alice", "ops@example.com", nil])
        #expect(report.byOwner.first?.secrets.map(\.key) == ["B_ALICE", "C_ALICE"], "by due date within an owner")
    }

    @Test func badFlagsNameTheFlagAndWriteNothing() throws {
        let team = try Team()
        let config = try team.workspace.loadConfig()
        let cases: [(String?, String?, String?, String?, String)] = [
            ("bob", nil, nil, nil, "--owner: 'bob' is not a recipient or writer of workspace 'ws'"),
            ("x y", nil, nil, nil, "--owner: 'x y' is not an owner"),
            (nil, "2027-02-30", nil, nil, "--expires: '2027-02-30' is not a date"),
            (nil, nil, "90", nil, "--rotate-every: '90' is not a period"),
            (nil, nil, nil, "two\nlines", "--description: use one line"),
        ]
        for (owner, expires, rotateEvery, description, message) in cases {
            let error = #expect(throws: StoreError.self) {
                try MetadataEdit.parse(owner: owner, expires: expires, noExpires: false, rotateEvery: rotateEvery,
                                       description: description, config: config)
            }
            #expect(error?.description.hasPrefix(message) == true, "\(String(describing: error))")
        }
        #expect(throws: StoreError.self) {
            try MetadataEdit.parse(owner: nil, expires: "2027-01-01", noExpires: true, rotateEvery: nil, description: nil, config: config)
        }
        #expect(try MetadataEdit.parse(owner: "ops@example.com", expires: nil, noExpires: true, rotateEvery: "", description: " x ",
                                       config: config) == MetadataEdit(owner: .set("ops@example.com"), expires: .clear, rotateEvery: .clear,
                                                                       description: .set("x")))
        #expect(try team.service(today: "2027-01-01").keys().isEmpty)
    }

    @Test func forgedMetadataIsLeftOutOfDueAndNamed() throws {
        let ci = try SigningKey.generate(), mallory = try SigningKey.generate()
        let team = try Team(writer: ci)
        try team.set("DB", "canary-db-7f3a", today: "2026-01-01", owner: "alice", rotateEvery: "30d", signingKey: ci)
        let path = try team.workspace.secretPath(for: "DB")
        var forged = try SealedSecretCodec.decode(try FileIO.contents(path), file: path)
        forged.metadata.rotateEvery = RotationPeriod(string: "520w")
        forged = WriterSignatures(try team.workspace.loadConfig()).sign(forged, with: mallory)
        try FileIO.writeAtomically(SealedSecretCodec.encode(forged), to: path)
        let report = try RotationDue.report(service: team.service(today: "2026-03-01"), within: .days(14))
        #expect(report.secrets.isEmpty)
        #expect(report.problems.map(\.key) == ["DB"])
        #expect(report.problems.first?.problem.contains("canary") == false)

        let refused = #expect(throws: StoreError.self) {
            try SecretMetadataUpdate.meta(key: "DB", edit: MetadataEdit(owner: .clear), service: team.service(today: "2026-03-01", signingKey: ci))
        }
        guard case .signedByNonWriter? = refused else { Issue.record("got \(String(describing: refused))"); return }
    }

    @Test func anUnchangedValueWithNewFlagsKeepsTheCiphertextAndDoesNotMoveRotated() throws {
        let team = try Team()
        try team.set("K", "same", today: "2026-01-01", owner: "alice", rotateEvery: "90d")
        let path = try team.workspace.secretPath(for: "K")
        let before = try SealedSecretCodec.decode(try FileIO.contents(path), file: path)
        try team.set("K", "same", today: "2026-02-01", expires: "2026-06-01")
        let after = try SealedSecretCodec.decode(try FileIO.contents(path), file: path)
        #expect(after.value == before.value)
        #expect(after.metadata.rotated == (try Self.date("2026-01-01")))
        #expect(after.metadata.expires == (try Self.date("2026-06-01")))
    }
}
