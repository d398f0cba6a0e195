import Foundation
import LoopsealFuzzTargets

/// The target named by `$LOOPSEAL_FUZZ_TARGET`, read once.
let selectedTarget: FuzzTarget? = ProcessInfo.processInfo.environment["LOOPSEAL_FUZZ_TARGET"].flatMap(FuzzTarget.init(rawValue:))

let targetNames = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")

/// libFuzzer's start-up hook: checks that `$LOOPSEAL_FUZZ_TARGET` names a target.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> Int32 {
    guard selectedTarget != nil else {
        FileHandle.standardError.write(Data("loopseal-fuzz: set LOOPSEAL_FUZZ_TARGET to one of: \(targetNames)\n".utf8))
        exit(2)
    }
    return 0
}

/// libFuzzer's per-input hook: runs the selected target on `size` bytes at `data`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    selectedTarget?.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

#if !LOOPSEAL_FUZZ
/// Without libFuzzer: `loopseal-fuzz TARGET PATH…` runs TARGET over each file, and each file in
/// each folder, to reproduce a crash or replay a corpus.
@main
enum Replay {
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("usage: loopseal-fuzz TARGET FILE_OR_FOLDER…\ntargets: \(targetNames)\n".utf8))
            exit(2)
        }
        arguments.removeFirst()
        var count = 0
        for path in arguments {
            for file in files(at: path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("loopseal-fuzz: cannot read \(file)\n".utf8))
                    exit(1)
                }
                target.run(Array(data))
                count += 1
            }
        }
        print("\(target.rawValue): \(count) inputs, no crash")
    }

    static func files(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.map { "\(path)/\($0)" }
    }
}
#endif
