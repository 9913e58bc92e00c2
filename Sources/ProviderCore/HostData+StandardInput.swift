//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation

extension HostData {
    /// Encodes the host data as compact wire JSON, keys in the Rust order.
    /// - Returns: UTF-8 JSON bytes.
    /// - Throws: `ProviderError` with code `encodingFailed`.
    public func jsonBytes() throws(ProviderError) -> [UInt8] {
        try WireJSON.encode(self)
    }

    /// Reads host data from JSON, as strictly as the provider SDK.
    /// - Parameter json: UTF-8 JSON bytes.
    /// - Returns: The host data.
    /// - Throws: `ProviderError` with code `invalidWireFormat`, naming the missing or malformed key
    ///   (for example `missing required key \`env_values\``) and never quoting the document.
    public static func decode(json: some Collection<UInt8>) throws(ProviderError) -> HostData {
        try WireJSON.decode(HostData.self, from: json)
    }

    /// The bytes a provider reads from standard input: standard padded base64 of the JSON, then
    /// `\r\n` (`wasmbus-protocol.md` §3.1).
    /// - Returns: The line, ready to write to the provider's standard input before closing it.
    /// - Throws: `ProviderError` with code `encodingFailed`.
    public func standardInputLine() throws(ProviderError) -> [UInt8] {
        let json = try self.jsonBytes()
        var line = Array(Data(json).base64EncodedString().utf8)
        line.append(contentsOf: [0x0D, 0x0A])
        return line
    }

    /// Reads host data the way the provider SDK does: one line, surrounding whitespace trimmed,
    /// standard base64, then JSON.
    /// - Parameter line: The bytes read from standard input (a trailing `\r\n` is allowed).
    /// - Returns: The host data.
    /// - Throws: `ProviderError` with code `invalidWireFormat` when the line is empty, is not
    ///   base64, or does not hold valid host data.
    public static func decode(standardInputLine line: some Collection<UInt8>) throws(ProviderError) -> HostData {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let bytes = Array(line)
        guard let start = bytes.firstIndex(where: { !isSpace($0) }),
            let end = bytes.lastIndex(where: { !isSpace($0) })
        else {
            throw ProviderError(code: .invalidWireFormat, message: "stdin is empty - expecting host data")
        }
        guard let json = Data(base64Encoded: Data(bytes[start...end])) else {
            throw ProviderError(code: .invalidWireFormat, message: "host data is not standard base64")
        }
        return try HostData.decode(json: json)
    }
}
