import Foundation
import Testing

/// Issue 15, must-hold 5, on the command line: the values a person fills into a child run
/// (request_secrets_task's request-secrets) reach the sealed files only. Not the parent's or the
/// child's run file, state, documents or tool results, not the callback's result, not the
/// output of any command but `get`, not a file left by a crash between child and parent.
@Suite("leaks: sub-workflows")
struct SubWorkflowLeakTests {
    static let seedText = "Secrets have been stored securely by the user."

    @Test("values filled into a child run appear in no run file, no output and no other file; the parent completes with the seed's text")
    func childFill() throws {
        let box = try Sandbox("subworkflow-leaks")
        defer { box.remove() }
        let alice = try box.keygen("alice")
        try box.initWorkspace("app", [alice])
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("workflows").path
        try FileManager.default.copyItem(atPath: shipped, toPath: "\(box.root)/workflows")
        let canaries = ["CANARY-api-\(UUID().uuidString)", "CANARY-hook-\(UUID().uuidString)",
                        "CANARY-line-\(UUID().uuidString)", "CANARY-again-\(UUID().uuidString)"]
        let multiLine = "-----BEGIN CANARY-----\n\(canaries[1])\n\(canaries[2])\n-----END CANARY-----"
        let env: [String: String?] = ["LOOPSEAL_IDENTITY_FILE": alice.path]

        var checked = 0
        @discardableResult
        func quiet(_ args: [String], stdin: String? = nil, extra: [String: String?] = [:], status: Int32? = 0,
                   sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
            let result = try box.run(args, stdin: stdin.map { Array($0.utf8) }, env: env.merging(extra) { $1 })
            if let status { #expect(result.status == status && !result.signaled, "\(result)", sourceLocation: sourceLocation) }
            for canary in canaries {
                #expect(!result.stdout.contains(bytes: Array(canary.utf8)), "a value on stdout of \(result)", sourceLocation: sourceLocation)
                #expect(!result.stderr.contains(canary), "a value on stderr of \(result)", sourceLocation: sourceLocation)
            }
            checked += 1
            return result
        }
        func json(_ result: RunResult) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any], "\(result)")
        }

        // The parent is pending on its child; the child asks for the two keys.
        let started = try json(try quiet(["run", "start", "agent-secrets-example", "--json"]))
        #expect(started["status"] as? String == "pending", "\(started)")
        let parent = try #require(started["id"] as? String)
        let child = try #require((started["pendingTransition"] as? [String: Any])?["child"] as? String, "\(started)")
        let asked = try json(try quiet(["run", "show", child, "--json"]))
        #expect(asked["status"] as? String == "waiting")
        #expect(asked["requestedKeys"] as? [String] == ["AGENT_API_KEY", "AGENT_WEBHOOK_SECRET"])
        try quiet(["run", "show", child])
        try quiet(["run", "show", parent])

        // One fill, a multi-line value included: the child completes and, through it, the parent.
        let fill = "AGENT_API_KEY=\(canaries[0])\nAGENT_WEBHOOK_SECRET<<END\n\(multiLine)\nEND\n"
        let filled = try quiet(["run", "resume", child, "--fill"], stdin: fill)
        #expect(filled.stdoutText.contains("parent run \(parent)  workflow agent-secrets-example  status completed  place end"), "\(filled)")

        let finished = try json(try quiet(["run", "show", parent, "--json"]))
        #expect(finished["status"] as? String == "completed")
        #expect(finished["place"] as? String == "end")
        let state = try #require(finished["state"] as? [String: Any])
        #expect(state["taskResult"] as? String == Self.seedText)
        let secretKeys = state["secretKeys"] as? [[String: Any]] ?? []
        for key in ["AGENT_API_KEY", "AGENT_WEBHOOK_SECRET"] {
            #expect(secretKeys.first { $0["key"] as? String == key }?["hasValue"] as? Bool == true, "\(key): \(secretKeys)")
        }
        let callback = ((finished["toolResults"] as? [String: Any])?["request_secrets"] as? [String: Any])?["task"] as? [String: Any]
        #expect(callback?["data"] as? String == Self.seedText, "\(String(describing: callback))")
        let childRun = try json(try quiet(["run", "show", child, "--json"]))
        #expect(childRun["status"] as? String == "completed")
        #expect((childRun["parent"] as? [String: Any])?["run"] as? String == parent)
        try quiet(["run", "show", parent])
        try quiet(["run", "show", child])
        try quiet(["run", "list"])
        try quiet(["run", "list", "--json"])
        try quiet(["keys"])
        try quiet(["keys", "--json"])

        // A second parent whose fill dies between the child and the callback: the next `run list`
        // resumes it, and the crash left no value behind either.
        let second = try json(try quiet(["run", "start", "agent-secrets-example", "--json"]))
        let secondParent = try #require(second["id"] as? String)
        let secondChild = try #require((second["pendingTransition"] as? [String: Any])?["child"] as? String)
        let crashed = try quiet(["run", "resume", secondChild, "--fill"], stdin: "AGENT_API_KEY=\(canaries[3])\nAGENT_WEBHOOK_SECRET<<END\n\(multiLine)\nEND\n",
                                extra: ["LOOPSEAL_TEST_CRASH": "before-parent-resume"], status: nil)
        #expect(crashed.signaled, "\(crashed)")
        try quiet(["run", "list"])
        let converged = try json(try quiet(["run", "show", secondParent, "--json"]))
        #expect(converged["status"] as? String == "completed", "\(converged)")
        #expect((converged["state"] as? [String: Any])?["taskResult"] as? String == Self.seedText)

        // The values were stored (so the checks mean something), and `get` shows them on stdout only.
        for (key, value) in [("AGENT_API_KEY", canaries[3]), ("AGENT_WEBHOOK_SECRET", multiLine)] {
            let got = try box.run(["get", key], env: env)
            #expect(got.status == 0 && got.stdoutText.hasPrefix(value), "\(got)")
            #expect(!got.stderr.contains("CANARY"), "\(got)")
        }
        #expect(checked >= 17)

        // No file under the repository holds a value: run files (parents and children), locks,
        // workflows, keys; the sealed files hold only ciphertext.
        let files = allFiles(under: box.root)
        let runFiles = files.filter { $0.contains("/.loopseal/runs/") && $0.hasSuffix(".json") }
        #expect(Set(runFiles.map { URL(fileURLWithPath: $0).lastPathComponent })
            == Set([parent, child, secondParent, secondChild].map { "\($0).json" }), "\(runFiles)")
        #expect(files.contains(box.sealedPath("app", "AGENT_WEBHOOK_SECRET")))
        for file in files {
            let bytes = try readBytes(file)
            for canary in canaries { #expect(!bytes.contains(bytes: Array(canary.utf8)), "a value in \(file)") }
            #expect(!bytes.contains(bytes: Array("BEGIN CANARY".utf8)), "part of the multi-line value in \(file)")
        }
    }
}
