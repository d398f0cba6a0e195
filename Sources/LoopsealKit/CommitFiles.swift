import Foundation
import LoopsealGit

/// The files of one commit under a folder, read from git's objects byte for byte: what the
/// commit stores, not what `git archive` or a checkout would make of it (`.gitattributes` can
/// rewrite both: `export-subst`, `export-ignore`, filters, line endings). A follower checks
/// these before its checkout moves. Links and submodules under the folder are refused, since a
/// link checked here could point elsewhere once checked out.
struct CommitFiles {
    /// Largest file read (a sealed value is at most 4 MiB, base64 in a text file).
    static let maxFileBytes = 16 << 20
    /// Largest total read.
    static let maxTotalBytes = 256 << 20

    let git: GitRunner

    /// Writes the regular files of `commit` under `path` (relative to the repository's top) into
    /// `folder`, keeping their relative paths. Throws naming the first entry that is not a
    /// regular file, or a size over the limits.
    func write(commit: String, path: String, into folder: String) throws {
        let listing = try git.checked(["ls-tree", "-r", "-z", "-l", "--full-tree", commit, "--", path]).stdout
        var entries: [(object: String, path: String)] = []
        var total = 0
        for record in listing.split(separator: 0) {
            guard let tab = record.firstIndex(of: 9) else { continue }
            let fields = String(decoding: record[record.startIndex..<tab], as: UTF8.self).split(separator: " ", omittingEmptySubsequences: true)
            let name = String(decoding: record[record.index(after: tab)...], as: UTF8.self)
            guard fields.count == 4 else { throw PullError("commit \(commit.prefix(12)): git ls-tree gave an entry it cannot read: \(name.prefix(200))") }
            switch fields[0] {
            case "100644", "100755": break
            case "120000": throw PullError("commit \(commit.prefix(12)) has a symbolic link at \(name.prefix(200)): links under workspaces/ are refused")
            case "160000": throw PullError("commit \(commit.prefix(12)) has a submodule at \(name.prefix(200)): submodules under workspaces/ are refused")
            default: throw PullError("commit \(commit.prefix(12)) has an entry of mode \(fields[0]) at \(name.prefix(200)): only regular files are accepted under workspaces/")
            }
            guard let size = Int(fields[3]), size <= Self.maxFileBytes else {
                throw PullError("commit \(commit.prefix(12)): \(name.prefix(200)) is larger than \(Self.maxFileBytes >> 20) MiB")
            }
            total += size
            guard total <= Self.maxTotalBytes else { throw PullError("commit \(commit.prefix(12)): the files under workspaces/ exceed \(Self.maxTotalBytes >> 20) MiB") }
            guard !name.split(separator: "/").contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }), !name.hasPrefix("/") else {
                throw PullError("commit \(commit.prefix(12)): an entry has an unusable path: \(name.prefix(200))")
            }
            entries.append((String(fields[2]), name))
        }
        guard !entries.isEmpty else { return }
        let batch = try git.checked(["cat-file", "--batch"], input: Array(entries.map { $0.object + "\n" }.joined().utf8)).stdout
        var offset = 0
        for entry in entries {
            guard let newline = batch[offset...].firstIndex(of: 10) else { throw PullError("git cat-file ended early at \(entry.path.prefix(200))") }
            let header = String(decoding: batch[offset..<newline], as: UTF8.self).split(separator: " ")
            guard header.count == 3, header[0] == entry.object, header[1] == "blob", let size = Int(header[2]),
                  newline + 1 + size <= batch.count else { throw PullError("git cat-file gave something unexpected for \(entry.path.prefix(200))") }
            let start = newline + 1
            let file = "\(folder)/\(entry.path)"
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            guard FileManager.default.createFile(atPath: file, contents: Data(batch[start..<(start + size)]), attributes: [.posixPermissions: 0o600]) else {
                throw PullError("cannot write \(file) to check it")
            }
            offset = start + size + 1
        }
    }
}
