import Foundation
import LoopsealSync
import Testing

@Suite struct YAMLFormatTests {
    static let readBack = """
        import sys, yaml
        d = yaml.safe_load(open(sys.argv[1], "rb"))
        assert isinstance(d, dict), type(d)
        \(Consumer.printMapping)
        """

    @Test func torturedValuesRoundTripThroughPyYAML() throws {
        var entries = TortureValues.entries(TortureValues.all + TortureValues.dotenvRejected)
        entries.append(EnvEntry(key: "Y", value: Array("N".utf8)))
        entries.append(EnvEntry(key: "ON", value: Array("off".utf8)))
        entries.append(EnvEntry(key: "null", value: Array("~".utf8)))
        entries.append(EnvEntry(key: "LONG_" + String(repeating: "K", count: 1100), value: Array("v".utf8)))
        let file = try Consumer.write(try OutputFormat.yaml.render(entries), suffix: ".yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        Consumer.expectExact(try Consumer.python(Self.readBack, file: file), entries)
    }

    @Test func emptyMappingAndEscapes() throws {
        #expect(try OutputFormat.yaml.render([]) == "{}\n")
        let rendered = try OutputFormat.yaml.render([
            EnvEntry(key: "A", value: Array("\"\\\u{7F}\u{85}\u{9F}\u{2028}\u{2029}\u{FEFF}\t ok ".utf8)),
            EnvEntry(key: "B", value: []),
        ])
        #expect(rendered == "\"A\": \"\\\"\\\\\\x7F\\N\\x9F\\L\\P\\uFEFF\\t ok \"\n\"B\": \"\"\n")
    }
}
