import Foundation
import LoopsealSync
import Testing

@Suite struct JSONFormatTests {
    static let readBack = """
        import sys, json
        from collections import OrderedDict
        d = json.loads(open(sys.argv[1], "rb").read(), object_pairs_hook=OrderedDict)
        \(Consumer.printMapping)
        """

    @Test func torturedValuesRoundTripThroughPythonJSON() throws {
        let entries = TortureValues.entries(TortureValues.all + TortureValues.dotenvRejected)
        let file = try Consumer.write(try OutputFormat.json.render(entries), suffix: ".json")
        defer { try? FileManager.default.removeItem(at: file) }
        Consumer.expectExact(try Consumer.python(Self.readBack, file: file), entries)
    }

    @Test func layoutAndEscapes() throws {
        #expect(try OutputFormat.json.render([]) == "{}\n")
        let rendered = try OutputFormat.json.render([
            EnvEntry(key: "A", value: Array("q\"b\\n\n\t\u{01}\u{2028}é".utf8)),
            EnvEntry(key: "B", value: []),
        ])
        #expect(rendered == "{\n  \"A\": \"q\\\"b\\\\n\\n\\t\\u0001\\u2028é\",\n  \"B\": \"\"\n}\n")
    }
}
