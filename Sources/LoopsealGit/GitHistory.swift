import Foundation
import LoopsealStore

/// Reads one file's history from a git repository: the commits that changed it (`git log`)
/// and what it held at any commit (`git cat-file`, each file capped). Git runs in
/// `git.directory`; paths are relative to it. Everything read is treated as hostile: output
/// that does not have the expected shape is an error, never a guess.
///
/// Merges: `git log -- PATH` with git's default history simplification. A change made on a
/// merged branch is listed as the branch's commit (with its author); a merge is listed only
/// when its result differs from every parent (both sides changed the file); a branch whose
/// change the merge did not keep is left out.
public struct GitHistory: Sendable {
    /// Runs git in the folder paths are relative to.
    public let git: GitRunner
    /// Where that folder is inside the repository (`workspaces/prod/`), "" at the top.
    public let prefix: String

    /// Opens the repository that holds `git.directory`; throws
    /// ``GitHistoryError/notARepository(directory:)`` when there is none.
    public init(git: GitRunner) throws {
        let output = try git.run(["rev-parse", "--is-inside-work-tree", "--show-prefix"])
        let lines = String(decoding: output.stdout, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard output.status == 0, lines.first == "true" else { throw GitHistoryError.notARepository(directory: git.directory) }
        self.git = git
        self.prefix = lines.count > 1 ? String(lines[1]) : ""
    }

    /// `path` (relative to `git.directory`) from the top of the repository.
    public func repositoryPath(_ path: String) -> String { prefix + path }

    /// The commits that changed `path`, newest first, at most `limit`. Empty in a repository
    /// without commits.
    public func commits(touching path: String, limit: Int? = nil) throws -> [GitCommit] {
        var arguments = ["-c", "log.follow=false", "-c", "log.showSignature=false", "log", "-z",
                         "--format=%H %P%x00%aI%x00%aN%x00%aE"]
        if let limit { arguments += ["-n", String(max(0, limit))] }
        arguments += ["--", ":(top,literal)" + repositoryPath(path)]
        let output = try git.run(arguments)
        guard output.status == 0 else {
            if try git.run(["rev-parse", "--verify", "--quiet", "HEAD"]).status != 0 { return [] }
            let message = output.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw StoreError.io(path: "git log", problem: message.isEmpty ? "failed with status \(output.status)" : String(message.prefix(400)))
        }
        return try Self.parseLog(output.stdout)
    }

    /// Parses `hash parents… NUL date NUL name NUL email` records, each ended by NUL.
    static func parseLog(_ bytes: [UInt8]) throws -> [GitCommit] {
        var fields = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if fields.last == "" { fields.removeLast() }
        guard fields.count % 4 == 0 else { throw GitHistoryError.unexpectedOutput(command: "log") }
        var commits: [GitCommit] = []
        commits.reserveCapacity(fields.count / 4)
        for start in stride(from: 0, to: fields.count, by: 4) {
            let names = fields[start].split(separator: " ")
            guard let hash = names.first, names.allSatisfy(GitCommit.isObjectName) else {
                throw GitHistoryError.unexpectedOutput(command: "log")
            }
            commits.append(GitCommit(hash: String(hash), parents: names.dropFirst().map(String.init), date: fields[start + 1],
                                     authorName: fields[start + 2], authorEmail: fields[start + 3]))
        }
        return commits
    }

    /// The full hash of the commit `revision` names; throws
    /// ``GitHistoryError/unknownRevision(_:)`` when it names none. A revision that starts with
    /// `-` is refused (git would read it as an option).
    public func resolveCommit(_ revision: String) throws -> String {
        guard !revision.isEmpty, !revision.hasPrefix("-"), !revision.contains("\n"), !revision.contains("\0") else {
            throw GitHistoryError.unknownRevision(revision)
        }
        let output = try git.run(["rev-parse", "--verify", "--quiet", revision + "^{commit}"])
        let hash = output.text
        guard output.status == 0, GitCommit.isObjectName(hash[...]) else { throw GitHistoryError.unknownRevision(revision) }
        return hash
    }

    /// What `commit` holds at `path` (relative to `git.directory`), for each request, keyed by
    /// ``request(commit:path:)``. A file larger than its request's `limit` in bytes is not
    /// read. Two git processes however many requests there are; a file shared by several
    /// commits is read once.
    public func files(_ wanted: [(commit: String, path: String, limit: Int)]) throws -> [String: GitBlob] {
        var requests: [String] = []
        var limits: [String: Int] = [:]
        for (commit, path, limit) in wanted {
            let request = Self.request(commit: commit, path: repositoryPath(path))
            guard !request.contains("\n") else { throw GitHistoryError.unexpectedOutput(command: "cat-file") }
            if limits[request] == nil { requests.append(request) }
            limits[request] = min(limits[request] ?? limit, limit)
        }
        guard !requests.isEmpty else { return [:] }
        let objects = try objectInfo(requests)
        var result: [String: GitBlob] = [:]
        var toRead: [String] = []
        var readSet = Set<String>()
        for (request, object) in zip(requests, objects) {
            switch object {
            case nil: result[request] = .missing
            case let (_, type, _)? where type != "blob": result[request] = .notAFile(type: type)
            case let (_, _, size)? where size > limits[request] ?? 0: result[request] = .tooLarge(size: size)
            case let (name, _, _)?: if readSet.insert(name).inserted { toRead.append(name) }
            }
        }
        let contents = try blobContents(toRead)
        for (request, object) in zip(requests, objects) where result[request] == nil {
            guard let object, let bytes = contents[object.name] else { throw GitHistoryError.unexpectedOutput(command: "cat-file") }
            result[request] = .content(bytes)
        }
        return result
    }

    /// The key ``files(_:)`` answers under: `commit:path` from the top of the repository.
    public func request(commit: String, path: String) -> String { Self.request(commit: commit, path: repositoryPath(path)) }

    private static func request(commit: String, path: String) -> String { "\(commit):\(path)" }

    /// `git cat-file --batch-check`: name, type and size of each request, nil when missing.
    private func objectInfo(_ requests: [String]) throws -> [(name: String, type: String, size: Int)?] {
        let input = Array(requests.map { $0 + "\n" }.joined().utf8)
        let output = try git.checked(["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"], input: input)
        var lines = output.stdout.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if lines.last == "" { lines.removeLast() }
        guard lines.count == requests.count else { throw GitHistoryError.unexpectedOutput(command: "cat-file --batch-check") }
        return try zip(requests, lines).map { request, line in
            let parts = line.split(separator: " ")
            if parts.count == 3, GitCommit.isObjectName(parts[0]), let size = Int(parts[2]), size >= 0 {
                return (String(parts[0]), String(parts[1]), size)
            }
            guard line == request + " missing" else { throw GitHistoryError.unexpectedOutput(command: "cat-file --batch-check") }
            return nil
        }
    }

    /// `git cat-file --batch` for blobs already known to be under the cap.
    private func blobContents(_ names: [String]) throws -> [String: [UInt8]] {
        guard !names.isEmpty else { return [:] }
        let input = Array(names.map { $0 + "\n" }.joined().utf8)
        let output = try git.checked(["cat-file", "--batch"], input: input).stdout
        var result: [String: [UInt8]] = [:]
        var offset = 0
        for name in names {
            guard let newline = output[offset...].firstIndex(of: 0x0A) else { throw GitHistoryError.unexpectedOutput(command: "cat-file --batch") }
            let header = output[offset..<newline].split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
            offset = newline + 1
            guard header.count == 3, header[0] == name, header[1] == "blob", let size = Int(header[2]), size >= 0,
                  size <= output.count - offset else {
                throw GitHistoryError.unexpectedOutput(command: "cat-file --batch")
            }
            result[name] = Array(output[offset..<(offset + size)])
            offset += size + 1
        }
        return result
    }
}
