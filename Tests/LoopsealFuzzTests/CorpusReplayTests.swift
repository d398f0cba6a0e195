import Foundation
import LoopsealCrypto
import LoopsealFuzzTargets
import LoopsealSync
import Testing

/// Replays the fuzz seeds (`Fuzz/corpus/<target>/`) and every input that once crashed a
/// target (`Fuzz/regressions/<target>/`) through the harnesses: none may crash.
@Suite struct CorpusReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func inputs(_ folder: String, _ target: FuzzTarget) -> [URL] {
        let directory = root.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func seedsRunCleanly(_ target: FuzzTarget) throws {
        let files = Self.inputs("corpus", target)
        #expect(!files.isEmpty, "no seeds in Fuzz/corpus/\(target.rawValue)")
        for file in files { target.run(Array(try Data(contentsOf: file))) }
    }

    /// A missing or empty folder fails: a replay of nothing would pass whatever the target does.
    @Test(arguments: FuzzTarget.allCases)
    func regressionsRunCleanly(_ target: FuzzTarget) throws {
        let files = Self.inputs("regressions", target)
        #expect(!files.isEmpty, "no inputs in Fuzz/regressions/\(target.rawValue): keep what once crashed the target, or inputs that reach its limits and error paths")
        for file in files { target.run(Array(try Data(contentsOf: file))) }
    }

    @Test func everyCorpusFolderNamesATarget() throws {
        for folder in ["corpus", "regressions"] {
            let path = Self.root.appendingPathComponent(folder).path
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where !name.hasPrefix(".") {
                #expect(FuzzTarget(rawValue: name) != nil, "Fuzz/\(folder)/\(name) is not a fuzz target")
            }
        }
    }

    /// The agent seeds reach past the crypto: the request envelope opens with the fixed keys.
    @Test func agentSeedEnvelopeOpens() throws {
        let body = try Data(contentsOf: Self.root.appendingPathComponent("corpus/agent/envelope_request.json"))
        let opened = try AgentCodec.openRequest(Array(body), identity: AgentFuzz.identity(0x22),
                                                authorized: [AgentFuzz.identity(0x11).publicKey], now: AgentFuzz.now)
        #expect(opened.message.target == "web1")
        #expect(PayloadKeys.names(in: opened.message.payload) == ["API_KEY", "DB"])
    }
}
