import Foundation
import LoopsealStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file a workflow names (`widget:`, a `create_document` `template:`), read only when it
/// resolves inside the workflow's folder, symbolic links included: `template: ../../keys/alice.key`,
/// `/etc/passwd` or a link in `workflows/` pointing elsewhere are refused before anything is read.
enum WorkflowFile {
    /// Why a named file cannot be used. Descriptions name the file as written, never its contents.
    enum Problem: Error, Equatable, CustomStringConvertible {
        /// `name` is an absolute path.
        case absolute(name: String)
        /// `name` (or a link on its way) leads out of `folder`.
        case outside(name: String, folder: String)
        /// Nothing at `name`.
        case notFound(name: String)
        /// It exists but cannot be read (not a regular file, no permission…).
        case unreadable(name: String, problem: String)

        var description: String {
            switch self {
            case .absolute(let name):
                return "'\(name)' is an absolute path: name a file inside the workflow's folder, relative to it"
            case .outside(let name, let folder):
                return "'\(name)' resolves outside the workflow's folder (\(folder)): a workflow may only name files inside its folder (symbolic links included)"
            case .notFound(let name):
                return "'\(name)' not found next to the workflow"
            case .unreadable(let name, let problem):
                return "'\(name)' cannot be read: \(problem)"
            }
        }
    }

    /// The real path of `name` (relative to `folder`), when it resolves inside `folder`'s real path.
    static func resolve(_ name: String, in folder: String) throws(Problem) -> String {
        guard !name.hasPrefix("/") else { throw .absolute(name: name) }
        guard !name.isEmpty else { throw .notFound(name: name) }
        // Lexically first: `../x` is outside even when it does not exist.
        var depth = 0
        for component in name.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": depth -= 1
            default: depth += 1
            }
            if depth < 0 { throw .outside(name: name, folder: folder) }
        }
        guard let root = realPath(folder) else { throw .notFound(name: name) }
        guard let resolved = realPath("\(folder)/\(name)") else {
            if errno == ENOENT || errno == ENOTDIR { throw .notFound(name: name) }
            throw .unreadable(name: name, problem: String(cString: strerror(errno)))
        }
        let rootParts = root.split(separator: "/"), parts = resolved.split(separator: "/")
        guard parts.count > rootParts.count, Array(parts.prefix(rootParts.count)) == rootParts else {
            throw .outside(name: name, folder: folder)
        }
        return resolved
    }

    /// The bytes of `name`, a regular file inside `folder`.
    static func read(_ name: String, in folder: String) throws(Problem) -> [UInt8] {
        let path = try resolve(name, in: folder)
        do {
            guard let bytes = try FileIO.contentsIfExists(path, limit: FileLimits.workflowFile, kind: "workflow file") else { throw Problem.notFound(name: name) }
            return bytes
        } catch let problem as Problem {
            throw problem
        } catch let error as StoreError {
            if case .io(_, let detail) = error { throw .unreadable(name: name, problem: detail) }
            throw .unreadable(name: name, problem: "\(error)")
        } catch {
            throw .unreadable(name: name, problem: "\(error)")
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
