//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

// Opening and extracting a ~20 MB provider archive (tar.gz, signed claims), side by side in one run:
//
// - ours: `ProviderArchive.open(path:)` (inflate, tar parse, JWT signature check) + `extract(into:)`
//   (SHA-256 check, write, fsync, rename) into a fresh cache folder each round;
// - baseline: `/bin/sh -c 'gzip -dc FILE | tar -x -C DIR && sha256sum DIR/BINARY'` into a fresh folder;
// - for reference, the baseline followed by `sync DIR/BINARY` (the same durability as ours).
//
//     swift run -c release --package-path Benchmarks ArchiveComparison [--rounds 7] [--megabytes 20]
//
// The methods alternate round by round (the order rotating), so drift hits them alike.

import BenchmarkSupport
import Foundation
import NKeys
import ProviderArchive

let options = Measurement.integerOptions(["rounds": 7, "megabytes": 20])
let rounds = max(5, options["rounds"] ?? 7)
let size = (options["megabytes"] ?? 20) << 20
let target = ProviderArchive.currentTarget
let binaryName = "\(target).bin"

/// Runs a shell command line, failing the benchmark when it fails.
@discardableResult
func shell(_ command: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "failed: \(command)"])
    }
    return String(decoding: data, as: UTF8.self)
}

/// Random-ish but compressible bytes, like an executable: random blocks (20 %), near copies of recent blocks
/// (40 %), low-entropy blocks (30 %) and zero runs (10 %); gzip -6 takes it to about half its size.
func makeBinary(count: Int) -> [UInt8] {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
    let block = 4096
    var bytes = [UInt8]()
    bytes.reserveCapacity(count + block)
    while bytes.count < count {
        switch next() % 10 {
        case 0..<2:
            for _ in 0..<(block / 8) {
                withUnsafeBytes(of: next()) { bytes.append(contentsOf: $0) }
            }
        case 2..<6 where bytes.count >= 8 * block:
            // A near copy of one of the last eight blocks, within deflate's 32 KiB window.
            let start = bytes.count - Int(1 + next() % 8) * block
            var copy = Array(bytes[start..<(start + block)])
            for _ in 0..<16 {
                copy[Int(next() % UInt64(block))] = UInt8(truncatingIfNeeded: next())
            }
            bytes.append(contentsOf: copy)
        case 6..<9:
            for _ in 0..<block {
                bytes.append(UInt8(truncatingIfNeeded: next() % 16))
            }
        default:
            bytes.append(contentsOf: repeatElement(0, count: block))
        }
    }
    return Array(bytes.prefix(count))
}

func base64URL(_ bytes: some Collection<UInt8>) -> String {
    Data(bytes).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

func milliseconds(_ nanoseconds: Double) -> String {
    String(format: "%.1f ms", nanoseconds / 1e6)
}

let work = FileManager.default.temporaryDirectory.path + "/archive-comparison-" + UUID().uuidString
let source = work + "/source"
try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: work) }

// MARK: Build the archive

let binary = makeBinary(count: size)
try Data(binary).write(to: URL(fileURLWithPath: source + "/" + binaryName))
let hash = try shell("sha256sum '\(source)/\(binaryName)'").prefix(64).uppercased()
let issuer = try NKeyPair.generate(.account)
let subject = try NKeyPair.generate(.service)
let issuedAt = UInt64(Date().timeIntervalSince1970)
let claims = """
    {"jti":"BenchmarkToken00000000","iat":\(issuedAt),"iss":"\(issuer.publicKey)","sub":"\(subject.publicKey)",\
    "wascap":{"name":"Benchmark","vendor":"bench","rev":1,"ver":"1.0.0","target_hashes":{"\(target)":"\(hash)"}},\
    "wascap_revision":3}
    """
let signingInput = base64URL(Array(#"{"typ":"jwt","alg":"Ed25519"}"#.utf8)) + "." + base64URL(Array(claims.utf8))
let token = signingInput + "." + base64URL(try issuer.sign(Array(signingInput.utf8)))
try Data(token.utf8).write(to: URL(fileURLWithPath: source + "/claims.jwt"))
let archive = work + "/provider.par.gz"
try shell("tar -C '\(source)' -cf - claims.jwt '\(binaryName)' | gzip -6 > '\(archive)'")
let archiveSize = (try FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int) ?? 0

// Sanity check: ours extracts the same bytes.
let check = try ProviderArchive.open(path: archive).extract(into: ArchiveCache(directory: work + "/check"))
guard try Data(contentsOf: URL(fileURLWithPath: check)) == Data(binary) else {
    print("extracted bytes differ")
    exit(1)
}

// MARK: Measure

enum Method: String, CaseIterable {
    case ours = "ProviderArchive.open + extract"
    case baseline = "gzip -dc | tar -x && sha256sum"
    case baselineSynced = "… && sync BINARY (reference)"
}

let clock = ContinuousClock()
var samples: [Method: [Double]] = [:]
var openSamples: [Double] = []
var round = 0

@MainActor
func run(_ method: Method, record: Bool) throws {
    round += 1
    let directory = work + "/round-\(round)"
    let start = clock.now
    switch method {
    case .ours:
        let opened = try ProviderArchive.open(path: archive)
        let afterOpen = clock.now
        _ = try opened.extract(into: ArchiveCache(directory: directory))
        if record {
            openSamples.append(Measurement.nanoseconds(start.duration(to: afterOpen)))
        }
    case .baseline, .baselineSynced:
        let sync = method == .baselineSynced ? " && sync '\(directory)/\(binaryName)'" : ""
        try shell(
            "mkdir '\(directory)' && gzip -dc '\(archive)' | tar -x -C '\(directory)' "
                + "&& sha256sum '\(directory)/\(binaryName)' >/dev/null\(sync)"
        )
    }
    let elapsed = Measurement.nanoseconds(start.duration(to: clock.now))
    try FileManager.default.removeItem(atPath: directory)
    if record {
        samples[method, default: []].append(elapsed)
    }
}

let methods = Method.allCases
for method in methods {
    try run(method, record: false)
}
for index in 0..<rounds {
    for offset in 0..<methods.count {
        try run(methods[(index + offset) % methods.count], record: true)
    }
}

let cores = ProcessInfo.processInfo.activeProcessorCount
print(
    "archive: \(binary.count) byte binary for \(target), \(archiveSize) bytes as tar.gz; "
        + "\(rounds) rounds, \(cores) cores"
)
let baseline = Measurement.median(samples[.baseline] ?? [])
print("| method | median | ratio vs baseline |")
print("|---|---|---|")
for method in methods {
    let median = Measurement.median(samples[method] ?? [])
    print("| \(method.rawValue) | \(milliseconds(median)) | " + String(format: "%.2f×", median / baseline) + " |")
}
print("| (ours: open alone) | \(milliseconds(Measurement.median(openSamples))) | |")
