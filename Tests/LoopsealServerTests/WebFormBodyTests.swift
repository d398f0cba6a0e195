import Foundation
import Hummingbird
import LoopsealCrypto
@testable import LoopsealServer
import Testing

@Suite("Web form bodies and sessions")
struct WebFormBodyTests {
    static func parse(_ text: String) throws(FormBodyError) -> FormBody {
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBytes { buffer in Result { () throws(FormBodyError) -> FormBody in try FormBody.parse(buffer) } }
        return try result.get()
    }

    static func string(_ value: SecureBytes) -> String {
        value.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    @Test("fields are percent-decoded with + as a space; secret:KEY fields become SecureBytes")
    func decoding() throws {
        let form = try Self.parse("csrf=abc123&workflow=ask+me&input=%7B%22a%22%3A+1%7D&secret%3AAPI_KEY=p%40ss+w%C3%B6rd%2B%25&secret:OTHER=x")
        #expect(form["csrf"] == "abc123")
        #expect(form["workflow"] == "ask me")
        #expect(form["input"] == #"{"a": 1}"#)
        #expect(form.fields.count == 3)
        #expect(form.secrets.map(\.key) == ["API_KEY", "OTHER"])
        #expect(Self.string(form.secrets[0].value) == "p@ss wörd+%")
        #expect(Self.string(form.secrets[1].value) == "x")
    }

    @Test("empty pairs, a field without '=', and empty secret fields")
    func edges() throws {
        let form = try Self.parse("&a&b=&&secret:EMPTY=&c=%20")
        #expect(form["a"] == "")
        #expect(form["b"] == "")
        #expect(form["c"] == " ")
        #expect(form.secrets.isEmpty)
        #expect(try Self.parse("").fields.isEmpty)
        let binary = try Self.parse("secret:BIN=%00%FF%0A")
        #expect(binary.secrets[0].value.withUnsafeBytes { Array($0) } == [0x00, 0xFF, 0x0A])
    }

    @Test("a browser's CR LF line breaks become LF in secret and plain fields; everything else arrives byte for byte")
    func lineBreaks() throws {
        // A 3-line PEM as a browser posts a textarea: every line break is %0D%0A.
        let pem = "-----BEGIN KEY-----%0D%0AMIIB%2Babc%2F%3D%0D%0A-----END KEY-----%0D%0A"
        let form = try Self.parse("secret:PEM=\(pem)&input=%7B%0D%0A%7D&secret:SPACES=a%09b++%09")
        #expect(Self.string(form.secrets[0].value) == "-----BEGIN KEY-----\nMIIB+abc/=\n-----END KEY-----\n")
        #expect(form["input"] == "{\n}")
        #expect(Self.string(form.secrets[1].value) == "a\tb  \t")
        // Only the CR LF pair is one line break: a lone CR or LF is kept, CR CR LF keeps one CR.
        let edges = try Self.parse("secret:A=x%0Dy%0Az&secret:B=%0D%0D%0A&secret:C=%0D&secret:D=%0A%0D&secret:E=%0D%0A")
        let bytes = edges.secrets.map { $0.value.withUnsafeBytes { Array($0) } }
        #expect(bytes == [Array("x\ry\nz".utf8), [0x0D, 0x0A], [0x0D], [0x0A, 0x0D], [0x0A]])
        // A raw (unescaped) CR LF is treated the same.
        #expect(Self.string(try Self.parse("secret:R=a\r\nb").secrets[0].value) == "a\nb")
    }

    @Test("malformed escapes name the field, never the value")
    func malformed() {
        #expect(throws: FormBodyError.malformedEscape(field: "workflow")) { try Self.parse("workflow=a%2") }
        #expect(throws: FormBodyError.malformedEscape(field: "workflow")) { try Self.parse("workflow=%zz") }
        #expect(throws: FormBodyError.malformedEscape(field: "secret:API_KEY")) { try Self.parse("secret:API_KEY=hunter2%G1") }
        do {
            _ = try Self.parse("secret:API_KEY=hunter2%")
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("hunter2"))
            #expect(error.description.contains("API_KEY"))
            #expect(error.status == .badRequest)
        }
        #expect(throws: FormBodyError.invalidUTF8(field: "input")) { try Self.parse("input=%FF") }
        #expect(throws: FormBodyError.emptySecretKey) { try Self.parse("secret:=x") }
    }

    @Test("duplicate fields are refused, including a name spelled two ways")
    func duplicates() {
        #expect(throws: FormBodyError.duplicateField("csrf")) { try Self.parse("csrf=a&csrf=b") }
        #expect(throws: FormBodyError.duplicateField("secret:K")) { try Self.parse("secret:K=a&secret%3AK=b") }
    }

    @Test("bodies over 64 KiB are refused with 413")
    func oversize() throws {
        let big = "a=" + String(repeating: "x", count: FormBody.maxBytes)
        #expect(throws: FormBodyError.tooLarge(limit: FormBody.maxBytes)) { try Self.parse(big) }
        #expect(FormBodyError.tooLarge(limit: FormBody.maxBytes).status == .contentTooLarge)
        let fits = "a=" + String(repeating: "x", count: FormBody.maxBytes - 2)
        #expect(try Self.parse(fits)["a"]?.count == FormBody.maxBytes - 2)
    }

    @Test("read(_:) wipes the request's bytes where they arrived, also when parsing fails")
    func zeroing() async throws {
        let first = ByteBuffer(string: "secret:K=top"), second = ByteBuffer(string: "secret&csrf=x")
        let form = try await FormBody.read(Fragments(buffers: [first, second]))
        #expect(Self.string(form.secrets[0].value) == "topsecret")
        #expect(form["csrf"] == "x")
        // The caller's buffers share storage with what the body yielded: both are zero now.
        #expect(first.readableBytesView.allSatisfy { $0 == 0 })
        #expect(second.readableBytesView.allSatisfy { $0 == 0 })

        let bad = ByteBuffer(string: "secret:K=topsecret%")
        await #expect(throws: FormBodyError.malformedEscape(field: "secret:K")) { try await FormBody.read(Fragments(buffers: [bad])) }
        #expect(bad.readableBytesView.allSatisfy { $0 == 0 })

        let big = ByteBuffer(string: String(repeating: "x", count: FormBody.maxBytes + 1))
        await #expect(throws: FormBodyError.tooLarge(limit: FormBody.maxBytes)) { try await FormBody.read(Fragments(buffers: [big])) }
    }

    /// A request body that arrives in several fragments.
    struct Fragments: AsyncSequence, Sendable {
        let buffers: [ByteBuffer]
        func makeAsyncIterator() -> Iterator { Iterator(buffers: buffers[...]) }
        struct Iterator: AsyncIteratorProtocol {
            var buffers: ArraySlice<ByteBuffer>
            mutating func next() async -> ByteBuffer? { buffers.popFirst() }
        }
    }

    @Test("sessions: random ids, expiry, deletion, and revocation by token")
    func sessions() {
        let clock = Clock()
        let store = SessionStore(lifetime: 100, now: { clock.time })
        guard let a = store.create(tokenID: "t1"), let b = store.create(tokenID: "t2") else {
            Issue.record("an empty store refused a session")
            return
        }
        #expect(a.id.count == 64 && a.csrf.count == 64 && a.id != b.id && a.csrf != a.id)
        #expect(a.id.allSatisfy { $0.isHexDigit })
        #expect(store.session(id: a.id) == a)
        #expect(store.session(id: "nope") == nil)
        store.delete(id: a.id)
        #expect(store.session(id: a.id) == nil)
        store.delete(tokenID: "t2")
        #expect(store.session(id: b.id) == nil)
        let c = store.create(tokenID: "t3")
        clock.time += 101
        #expect(c != nil && store.session(id: c?.id ?? "") == nil)
        #expect(store.count == 0)
        #expect(SessionStore.defaultLifetime == 8 * 3600)
    }

    @Test("CSRF comparison")
    func constantTime() {
        #expect(SessionStore.constantTimeEquals("abc", "abc"))
        #expect(!SessionStore.constantTimeEquals("abc", "abd"))
        #expect(!SessionStore.constantTimeEquals("abc", "ab"))
        #expect(!SessionStore.constantTimeEquals("", "a"))
    }

    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Double = 1000
        var time: Double {
            get { lock.withLock { value } }
            set { lock.withLock { value = newValue } }
        }
    }
}
