import Foundation
import Testing

/// Issue 11, item 4: the pre-commit hook refuses a sealed file that carries another file's id
/// (a copied file), and a file with merge-conflict markers, naming each.
@Suite("git: duplicate ids and conflicts")
struct GitDuplicateIDTests {
    @Test("a copied sealed file (same id as a committed one) is refused, naming both files")
    func copiedFileIsRefused() throws {
        let repo = try GitTests.Repo("git-dup-id")
        try repo.box.set("ONE", "canary-dup-1")
        try repo.git(["add", "-A"])
        try repo.git(["commit", "-q", "-m", "ONE"])
        let text = try repo.read("workspaces/prod/secrets/ONE.sealed")
        try repo.write("workspaces/prod/secrets/TWO.sealed", text.replacingOccurrences(of: "key: ONE", with: "key: TWO"))
        try repo.git(["add", "-A"])
        let stderr = try repo.refusedCommit()
        #expect(stderr.contains("workspaces/prod/secrets/TWO.sealed: has the id"), "\(stderr)")
        #expect(stderr.contains("as workspaces/prod/secrets/ONE.sealed does"), "\(stderr)")
    }

    @Test("a sealed file with conflict markers is refused as a merge conflict")
    func conflictMarkersAreRefused() throws {
        let repo = try GitTests.Repo("git-conflict")
        try repo.write("workspaces/prod/secrets/BROKEN.sealed", "loopseal: 1\n<<<<<<< HEAD\nid: a\n=======\nid: b\n>>>>>>> x\nkey: BROKEN\n")
        try repo.git(["add", "-A"])
        let stderr = try repo.refusedCommit()
        #expect(stderr.contains("merge conflict in workspaces/prod/secrets/BROKEN.sealed (line 2)"), "\(stderr)")
    }
}
