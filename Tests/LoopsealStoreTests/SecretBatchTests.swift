import Foundation
import LoopsealCrypto
import Testing
@testable import LoopsealStore

/// `SecretService.apply` and `set`: all or nothing, and an unchanged value leaves its file byte for byte.
@Suite struct SecretBatchTests {
    @Test func settingTheSameValueLeavesTheFileUntouched() throws {
        let ws = try TempWorkspace()
        #expect(try ws.service.set(key: "K", value: try secure("v1"), identities: [ws.alice]) == .added)
        let before = try ws.text("K")
        #expect(try ws.service.set(key: "K", value: try secure("v1"), identities: [ws.alice]) == .unchanged)
        #expect(try ws.text("K") == before)
        try ws.service.upsert(key: "K", value: try secure("v1"), identities: [ws.alice])
        #expect(try ws.text("K") == before)
        // Without an identity the value cannot be compared: it is sealed again.
        #expect(try ws.service.set(key: "K", value: try secure("v1"), identities: []) == .changed)
        #expect(try ws.text("K") != before)
        #expect(try ws.service.set(key: "K", value: try secure("v2"), identities: [ws.alice]) == .changed)
        #expect(plain(try ws.service.reveal(key: "K", identities: [ws.alice])) == "v2")
    }

    @Test func theSameValueInAStaleFileIsSealedAgain() throws {
        let ws = try TempWorkspace(recipients: 1)
        try ws.service.upsert(key: "K", value: try secure("v"))
        _ = try ws.service.changeRecipients(action: "add", identities: [ws.alice], rekey: false) { config in
            config.recipients.append(Recipient(name: "bob", publicKey: ws.bob.publicKey))
        }
        #expect(try ws.service.set(key: "K", value: try secure("v"), identities: [ws.alice]) == .changed)
        #expect(try ws.service.staleKeys().isEmpty)
        #expect(plain(try ws.service.reveal(key: "K", identities: [ws.bob])) == "v")
    }

    @Test func aBatchReportsEachOutcomeAndWritesOnlyWhatChanged() throws {
        let ws = try TempWorkspace()
        try ws.service.upsert(key: "SAME", value: try secure("s"))
        try ws.service.upsert(key: "OLD", value: try secure("o"))
        try ws.service.upsert(key: "GONE", value: try secure("g"))
        try ws.service.declare(key: "ASKED")
        let same = try ws.text("SAME")
        let id = try #require(try ws.service.find(key: "OLD")).id
        let result = try ws.service.apply([
            .set(key: "SAME", value: try secure("s")), .set(key: "OLD", value: try secure("o2")),
            .set(key: "NEW", value: try secure("n")), .set(key: "ASKED", value: try secure("a")), .remove(key: "GONE"),
        ], identities: [ws.alice])
        #expect(result.written)
        #expect(result.outcomes.map(\.outcome) == [.unchanged, .changed, .added, .added, .removed])
        #expect(try ws.text("SAME") == same)
        #expect(try ws.service.find(key: "OLD")?.id == id)
        #expect(try ws.service.keyNames() == ["ASKED", "NEW", "OLD", "SAME"])
        #expect(plain(try ws.service.reveal(key: "ASKED", identities: [ws.alice])) == "a")
    }

    @Test func withoutOverwriteAChangedValueRefusesTheWholeBatch() throws {
        let ws = try TempWorkspace()
        try ws.service.upsert(key: "OLD", value: try secure("o"))
        let before = try ws.text("OLD")
        let result = try ws.service.apply([.set(key: "NEW", value: try secure("n")), .set(key: "OLD", value: try secure("o2"))],
                                          identities: [ws.alice], overwrite: false)
        #expect(!result.written && result.refused)
        #expect(result.outcomes.map(\.outcome) == [.added, .refused])
        #expect(try ws.service.keyNames() == ["OLD"])
        #expect(try ws.text("OLD") == before)
        // A value no identity opens cannot be compared, so it is refused too.
        let stranger = try Identity.generate()
        let blind = try ws.service.apply([.set(key: "OLD", value: try secure("o"))], identities: [stranger], overwrite: false)
        #expect(blind.outcomes.map(\.outcome) == [.refused])
    }

    @Test func whatAPersonSawIsCheckedUnderTheLock() throws {
        let ws = try TempWorkspace()
        try ws.service.upsert(key: "K", value: try secure("seen"))
        try ws.service.upsert(key: "K", value: try secure("written meanwhile"))
        let before = try ws.text("K")
        #expect(throws: StoreError.changedMeanwhile(keys: ["K", "NEW"])) {
            try ws.service.upsert(key: "NEW", value: try secure("also meanwhile"))
            try ws.service.apply([.set(key: "K", value: try secure("mine")), .set(key: "NEW", value: try secure("n"))],
                                 identities: [ws.alice], expected: [("K", try secure("seen")), ("NEW", nil)])
        }
        #expect(try ws.text("K") == before)
        let result = try ws.service.apply([.set(key: "K", value: try secure("mine"))], identities: [ws.alice],
                                          expected: [("K", try secure("written meanwhile"))])
        #expect(result.written)
        #expect(plain(try ws.service.reveal(key: "K", identities: [ws.alice])) == "mine")
    }

    @Test func aDryRunWritesNothing() throws {
        let ws = try TempWorkspace()
        let result = try ws.service.apply([.set(key: "NEW", value: try secure("n"))], identities: [], dryRun: true)
        #expect(result.outcomes.map(\.outcome) == [.added] && !result.written)
        #expect(try ws.service.keyNames().isEmpty)
    }

    @Test func problemsAreAllFoundBeforeAnythingIsWritten() throws {
        let ws = try TempWorkspace()
        try ws.service.upsert(key: "KEPT", value: try secure("k"))
        let kept = try ws.text("KEPT")
        try FileIO.writeAtomically(Array("loopseal: 1\n<<<<<<< HEAD\n".utf8), to: try ws.path("BROKEN"))
        #expect {
            try ws.service.apply([.set(key: "KEPT", value: try secure("k2")), .remove(key: "MISSING"),
                                  .set(key: "BROKEN", value: try secure("b"))], identities: [ws.alice])
        } throws: { error in
            guard case StoreError.changeRefused(_, let problems) = error else { return false }
            return problems.count == 2 && problems[0].contains("MISSING") && problems[1].contains("merge conflict")
        }
        #expect(try ws.text("KEPT") == kept)
        #expect(throws: StoreError.self) {
            try ws.service.apply([.set(key: "A", value: try secure("1")), .set(key: "A", value: try secure("2"))], identities: [])
        }
        #expect(throws: StoreError.invalidKey("../x")) { try ws.service.apply([.remove(key: "../x")], identities: []) }
        #expect(try ws.service.keyNames() == ["BROKEN", "KEPT"])
    }
}
