import LoopsealStore
import Testing

@Suite("FileIO.parentDirectory")
struct ParentDirectoryTests {
    @Test("matches what paths mean, including the one-character names Foundation traps on", arguments: [
        ("k", ""), ("a.key", ""), ("dir/k", "dir"), ("/k", "/"), ("/", "/"), ("a//b", "a"),
        ("/x/y/", "/x"), ("../../deploy/app.env", "../../deploy"), ("./k", "."),
    ])
    func parent(path: String, expected: String) {
        #expect(FileIO.parentDirectory(path) == expected)
    }
}
