import Foundation
import LoopsealStore

/// Reads what is staged for the next commit with at most three git processes, however many
/// files there are: `git diff --cached --raw -z` for the changed paths and their blob ids,
/// `git ls-files -s -z` for the sealed files of workspaces whose `workspace.yaml` or any sealed
/// file changed (only when one did), and one `git cat-file --batch` for every blob, including
/// the staged `workspace.yaml` of each workspace involved. Never reads the working tree. In a
/// merge (git's `pre-merge-commit` hook) the index holds the merged result, so every file that
/// differs from HEAD, those the merged branch brought included, is a staged change.
public struct StagedIndex: Sendable {
    /// Changed files (added, copied, modified, renamed), regular files only.
    public var files: [StagedFile]
    /// Sealed files of workspaces whose `workspace.yaml` is staged, changed or not.
    public var sealedInChangedWorkspaces: [StagedFile]
    /// Every staged sealed file of a workspace with any staged change (for duplicate ids).
    public var sealedInTouchedWorkspaces: [StagedFile] = []
    /// Staged `workspace.yaml` bytes by workspace id (nil: not in the index).
    public var workspaceFiles: [String: [UInt8]?]

    /// Reads the index through `git`.
    public static func read(_ git: GitRunner) throws -> StagedIndex {
        let diff = try git.checked(["diff", "--cached", "--raw", "-z", "-M", "--no-abbrev", "--no-ext-diff",
                                    "--diff-filter=ACMR", "--ignore-submodules"])
        let changes = parseRaw(diff.stdout)
        var changedWorkspaces: [String] = []
        var touchedWorkspaces = Set<String>()
        for change in changes {
            if let id = PreCommitCheck.workspaceConfigID(change.path), Names.isValidWorkspaceID(id) { changedWorkspaces.append(id) }
            if let (id, _) = PreCommitCheck.sealedLocation(change.path), Names.isValidWorkspaceID(id) { touchedWorkspaces.insert(id) }
        }
        touchedWorkspaces.formUnion(changedWorkspaces)
        var extra: [(path: String, blob: String)] = []
        if !touchedWorkspaces.isEmpty {
            let listed = try git.checked(["ls-files", "-s", "-z", "--"] + touchedWorkspaces.sorted().map { "workspaces/\($0)/secrets/" })
            for record in listed.stdout.split(separator: 0) {
                let text = String(decoding: record, as: UTF8.self)
                guard let tab = text.firstIndex(of: "\t") else { continue }
                let fields = text[..<tab].split(separator: " ")
                let path = String(text[text.index(after: tab)...])
                guard fields.count == 3, fields[0] == "100644" || fields[0] == "100755",
                      PreCommitCheck.sealedLocation(path) != nil else { continue }
                extra.append((path, String(fields[1])))
            }
        }
        var workspaceIDs = Set(changedWorkspaces)
        for path in changes.map(\.path) + extra.map(\.path) {
            if let (id, _) = PreCommitCheck.sealedLocation(path), Names.isValidWorkspaceID(id) { workspaceIDs.insert(id) }
        }
        var requests: [String] = []
        for change in changes {
            requests.append(change.newBlob)
            if let old = change.oldBlob { requests.append(old) }
        }
        requests += extra.map(\.blob)
        let configRequests = workspaceIDs.sorted().map { ($0, ":workspaces/\($0)/workspace.yaml") }
        requests += configRequests.map(\.1)
        var unique: [String] = []
        var seen = Set<String>()
        for request in requests where seen.insert(request).inserted { unique.append(request) }
        let blobs = unique.isEmpty ? [:] : try catFile(git, unique)
        var index = StagedIndex(files: [], sealedInChangedWorkspaces: [], workspaceFiles: [:])
        for change in changes {
            guard let content = blobs[change.newBlob] ?? nil else { continue }
            index.files.append(StagedFile(path: change.path, content: content, previous: change.oldBlob.flatMap { blobs[$0] ?? nil }))
        }
        let configChanged = Set(changedWorkspaces)
        for (path, blob) in extra {
            guard let content = blobs[blob] ?? nil else { continue }
            let file = StagedFile(path: path, content: content)
            index.sealedInTouchedWorkspaces.append(file)
            if let (id, _) = PreCommitCheck.sealedLocation(path), configChanged.contains(id) { index.sealedInChangedWorkspaces.append(file) }
        }
        for (id, request) in configRequests { index.workspaceFiles[id] = blobs[request] ?? nil }
        return index
    }

    struct Change {
        var path: String
        var newBlob: String
        /// The replaced blob, for modified and renamed regular files.
        var oldBlob: String?
    }

    /// Parses `:oldmode newmode oldsha newsha status NUL path NUL [path NUL]` records, keeping
    /// regular files (no symlinks or submodules).
    static func parseRaw(_ bytes: [UInt8]) -> [Change] {
        let fields = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        var changes: [Change] = []
        var i = 0
        while i < fields.count {
            let meta = fields[i]
            guard meta.hasPrefix(":") else { i += 1; continue }
            let parts = meta.dropFirst().split(separator: " ")
            guard parts.count == 5 else { i += 1; continue }
            let status = parts[4].first ?? "?"
            let twoPaths = status == "R" || status == "C"
            guard i + (twoPaths ? 2 : 1) < fields.count else { break }
            let path = fields[i + (twoPaths ? 2 : 1)]
            i += twoPaths ? 3 : 2
            let regular: (Substring) -> Bool = { $0 == "100644" || $0 == "100755" }
            guard regular(parts[1]) else { continue }
            let old = (status == "M" || twoPaths) && regular(parts[0]) ? String(parts[2]) : nil
            changes.append(Change(path: path, newBlob: String(parts[3]), oldBlob: old))
        }
        return changes
    }

    /// `git cat-file --batch` for `requests` (object ids or `:path`), in one process.
    /// A missing object maps to nil.
    static func catFile(_ git: GitRunner, _ requests: [String]) throws -> [String: [UInt8]?] {
        let input = Array(requests.map { $0 + "\n" }.joined().utf8)
        let output = try git.checked(["cat-file", "--batch"], input: input).stdout
        var result: [String: [UInt8]?] = [:]
        var offset = 0
        for request in requests {
            guard let newline = output[offset...].firstIndex(of: 0x0A) else {
                throw StoreError.io(path: "git cat-file", problem: "output ended early")
            }
            let header = String(decoding: output[offset..<newline], as: UTF8.self).split(separator: " ")
            offset = newline + 1
            guard header.count == 3, let size = Int(header[2]) else {
                result[request] = .some(nil)
                continue
            }
            guard offset + size <= output.count else { throw StoreError.io(path: "git cat-file", problem: "output ended early") }
            result[request] = Array(output[offset..<(offset + size)])
            offset += size + 1
        }
        return result
    }
}
