import Foundation

/// Benchmarks run by hand (`make bench`); each prints one JSON line.
///   loopseal-bench templates TEMPLATE DATA.json PARTIALS_DIR RENDERS [OUTPUT]
///   loopseal-bench workflow-parse TRANSITIONS
///   loopseal-bench workflow-chain STEPS
///   loopseal-bench watch-latency CHANGES
///   loopseal-bench dotenv FILE.env EXPECTED.json RUNS
let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "templates": try TemplateBench.run(Array(arguments.dropFirst()))
    case "workflow-parse": try WorkflowBench.parse(Int(arguments.dropFirst().first ?? "") ?? 2000)
    case "workflow-chain": try WorkflowBench.chain(Int(arguments.dropFirst().first ?? "") ?? 10000)
    case "watch-latency": try WatchBench.run(Int(arguments.dropFirst().first ?? "") ?? 200)
    case "dotenv": try DotenvBench.run(Array(arguments.dropFirst()))
    default:
        FileHandle.standardError.write(Data("usage: loopseal-bench templates|workflow-parse|workflow-chain|watch-latency|dotenv …\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("loopseal-bench: \(error)\n".utf8))
    exit(1)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func peakRSSKilobytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss
}
