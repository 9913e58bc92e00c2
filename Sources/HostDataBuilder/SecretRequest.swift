//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The request a host seals and sends to `{prefix}.v1alpha1.{backend}.get` (§6.2, step 4):
/// `{"key","field","version","context":{"entity_jwt","host_jwt","application":{"name","policy"}}}`,
/// absent optionals written as `null`.
struct SecretRequest: Encodable {
    struct Context: Encodable {
        var entityJWT: String
        var hostJWT: String
        var application: Application

        private enum CodingKeys: String, CodingKey {
            case entityJWT = "entity_jwt"
            case hostJWT = "host_jwt"
            case application
        }
    }

    struct Application: Encodable {
        var name: String?
        var policy: String

        private enum CodingKeys: String, CodingKey {
            case name
            case policy
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.name, forKey: .name)
            try container.encode(self.policy, forKey: .policy)
        }
    }

    var key: String
    var field: String?
    var version: String?
    var context: Context

    private enum CodingKeys: String, CodingKey {
        case key
        case field
        case version
        case context
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.key, forKey: .key)
        try container.encode(self.field, forKey: .field)
        try container.encode(self.version, forKey: .version)
        try container.encode(self.context, forKey: .context)
    }
}
