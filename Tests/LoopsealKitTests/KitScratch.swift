import Foundation
import LoopsealStore

/// A temporary folder for one test, removed when dropped.
final class KitScratch {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("loopseal-kit-\(UUID().uuidString)").path

    init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` under the folder and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let file = "\(path)/\(name)"
        try FileIO.writeAtomically(Array(text.utf8), to: file, mode: 0o600)
        return file
    }

    /// The permission bits of `file`, -1 when it has none.
    func mode(_ file: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int ?? -1
    }
}
