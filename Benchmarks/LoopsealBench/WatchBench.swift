import Foundation
import LoopsealCrypto
import LoopsealStore
import LoopsealSync

/// Watch latency: time from a secret file being replaced to the `file` target being rewritten.
enum WatchBench {
    final class Failure: @unchecked Sendable { var error: Error? }

    static func run(_ changes: Int) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-watchbench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let identity = try Identity.generate()
        let workspace = try Workspace.create(root: root, id: "bench", recipients: [Recipient(name: "me", publicKey: identity.publicKey)])
        try FileManager.default.createDirectory(atPath: "\(root)/deploy", withIntermediateDirectories: true)
        let text = try workspace.loadConfig().serialized().replacingOccurrences(
            of: "targets: []\n", with: "targets:\n  - name: app\n    type: file\n    path: ../../deploy/app.env\n")
        try workspace.saveConfig(try WorkspaceConfig.parse(text, file: "w", expectedID: "bench"))
        let service = SecretService(workspace: workspace)
        for i in 0..<20 { try service.upsert(key: "K\(i)", value: try SecureBytes(copying: Array("v\(i)".utf8))) }
        let watcher = try Watcher(workspace: workspace, identities: [identity])
        let failure = Failure()
        let thread = Thread { do { try watcher.run() } catch { failure.error = error } }
        thread.start()
        defer { watcher.stop(); while !thread.isFinished { usleep(1000) } }
        let target = "\(root)/deploy/app.env"
        func wait(for text: String) -> Bool {
            let deadline = Date().addingTimeInterval(5)
            while Date() < deadline {
                if let bytes = try? FileIO.contentsIfExists(target), String(decoding: bytes, as: UTF8.self).contains(text) { return true }
                usleep(200)
            }
            return false
        }
        guard wait(for: "K19='v19'") else { throw BenchError("the watcher never wrote the target") }
        var latencies: [Double] = []
        for change in 0..<changes {
            let value = "change-\(change)"
            let started = DispatchTime.now().uptimeNanoseconds
            try service.upsert(key: "K\(change % 20)", value: try SecureBytes(copying: Array(value.utf8)))
            guard wait(for: "='\(value)'") else { throw BenchError("change \(change) never reached the target") }
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
            usleep(2000)
        }
        if let error = failure.error { throw error }
        latencies.sort()
        let p50 = latencies[latencies.count / 2], p99 = latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))]
        print(#"{"changes": \#(changes), "p50_ms": \#(p50), "p99_ms": \#(p99), "max_ms": \#(latencies.last ?? 0)}"#)
    }
}
