import LoopsealStore
import LoopsealSync

/// `WorkspaceConfig.parse` and `SyncTarget.parseAll` on any text. A configuration that parses
/// must survive `serialized()` (what `loopseal init` and `recipients add|rm` write): the text
/// parses again to the same workspace, recipients and targets.
public enum WorkspaceFuzz {
    /// The workspace id the inputs must name (the seeds use it).
    static let id = "demo"
    static let file = "workspaces/demo/workspace.yaml"

    /// Runs one input.
    public static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let config: WorkspaceConfig
        do {
            config = try WorkspaceConfig.parse(text, file: file, expectedID: id)
        } catch {
            return
        }
        _ = config.publicKeys
        let targets = try? SyncTarget.parseAll(config, file: file)
        let written: String
        do {
            written = try config.serialized()
        } catch {
            return
        }
        do {
            let again = try WorkspaceConfig.parse(written, file: file, expectedID: id)
            FuzzCheck.require(again.workspace == config.workspace, "workspace id changed in a round trip")
            FuzzCheck.require(again.recipients.map(\.name) == config.recipients.map(\.name)
                              && again.recipients.map(\.publicKey) == config.recipients.map(\.publicKey),
                              "recipients changed in a round trip")
            FuzzCheck.require(try again.serialized() == written, "serialized() is not stable")
            let targetsAgain = try? SyncTarget.parseAll(again, file: file)
            FuzzCheck.require(targetsAgain == targets, "sync targets changed in a round trip")
        } catch {
            FuzzCheck.require(false, "serialized() wrote a workspace.yaml that does not parse: \(error)")
        }
    }
}
