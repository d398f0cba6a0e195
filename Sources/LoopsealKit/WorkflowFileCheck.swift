import LoopsealStore
import LoopsealWorkflows

/// `workflow validate` for one file: a widget file (`*.ui.yaml`, `*.ui.yml`) is checked as
/// widgets, any other file as a workflow with its transition graph.
public enum WorkflowFileCheck {
    /// What one file holds, or what is wrong with it.
    public enum Outcome: Sendable, Equatable {
        /// A valid widget file with this many widgets.
        case widgets(count: Int)
        /// A valid workflow with this many transitions and places.
        case workflow(transitions: Int, places: Int)
        /// The file's problems, one line each, with file, line and column.
        case problems([String])
    }

    /// Checks `file`. Validation problems and a file that cannot be read come back as
    /// ``Outcome/problems(_:)``; any other failure is thrown.
    public static func check(_ file: String) throws -> Outcome {
        do {
            if WidgetFile.isWidgetFile(file) {
                return .widgets(count: try WidgetFile.load(path: file).count)
            }
            let definition = try WorkflowValidator.load(path: file)
            return .workflow(transitions: definition.transitions.count, places: TransitionGraph(definition).places.count)
        } catch let error as WorkflowValidationError {
            return .problems(error.problems.map(\.description))
        } catch let error as StoreError {
            return .problems([error.description])
        }
    }
}
