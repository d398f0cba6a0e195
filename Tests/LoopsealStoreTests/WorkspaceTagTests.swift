import LoopsealStore
import Testing

@Suite("workspace.yaml tags")
struct WorkspaceTagTests {
    @Test("a local YAML tag is refused with its position (it made keys that merged when written back)")
    func localTagRefused() {
        let text = """
            workspace: demo
            recipients:
              maintainer: age142dpke42tkjz46suwffrljzdkceqhmx72jqe4hwdl2dz2c36eqaq3p83ck
            targets:
              - { name: fly, type: !x command, command: [a, b], format: json }

            """
        #expect {
            _ = try WorkspaceConfig.parse(text, file: "workspace.yaml", expectedID: "demo")
        } throws: { error in
            let message = "\(error)"
            return message.contains("workspace.yaml:5:") && message.contains("YAML tags")
        }
    }
}
