//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A secrets backend's reply (§6.2, step 6):
/// `{"secret"?:{"version","string_secret","binary_secret"},"error"?:GetSecretError}`.
struct SecretResponse: Decodable {
    struct Secret: Decodable {
        var version: String?
        var stringSecret: String?
        var binarySecret: [UInt8]?

        private enum CodingKeys: String, CodingKey {
            case version
            case stringSecret = "string_secret"
            case binarySecret = "binary_secret"
        }
    }

    var secret: Secret?
    var error: GetSecretError?
}
