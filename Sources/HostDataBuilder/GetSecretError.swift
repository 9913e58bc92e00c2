//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A secrets backend's error, externally tagged (§6.2): a unit variant is a string
/// (`"SecretNotFound"`), the others one-key objects (`{"UpstreamError":"…"}`).
struct GetSecretError: Decodable, Hashable, CustomStringConvertible {
    /// The variant name, for example `SecretNotFound`.
    var variant: String
    /// The variant's text, for the variants that carry one.
    var detail: String?

    init(variant: String, detail: String? = nil) {
        self.variant = variant
        self.detail = detail
    }

    private struct VariantKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }

        init?(stringValue: String) {
            self.stringValue = stringValue
        }

        init?(intValue: Int) {
            nil
        }
    }

    init(from decoder: any Decoder) throws {
        if let variant = try? decoder.singleValueContainer().decode(String.self) {
            self.init(variant: variant)
            return
        }
        let container = try decoder.container(keyedBy: VariantKey.self)
        guard let key = container.allKeys.first, container.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "expected one variant")
            )
        }
        self.init(variant: key.stringValue, detail: try? container.decode(String.self, forKey: key))
    }

    /// Variants after which the cached server xkey may be stale (the backend rotated its key).
    var invalidatesServerKey: Bool {
        self.variant == "InvalidXKey" || self.variant == "DecryptionError"
    }

    /// `Variant` or `Variant: detail`, the detail cut to 200 characters.
    var description: String {
        guard let detail = self.detail, !detail.isEmpty else {
            return self.variant
        }
        return "\(self.variant): \(detail.count > 200 ? String(detail.prefix(200)) + "…" : detail)"
    }
}
