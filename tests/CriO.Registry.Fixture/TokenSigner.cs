using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace CriO.Registry.Fixture;

/// <summary>
/// Signs registry tokens: compact JWS, RS256, with an RSA key whose self-signed certificate is
/// the registry's <c>rootcertbundle</c>.
/// </summary>
/// <remarks>
/// How the distribution server (v2.8, registry/auth/token/token.go) accepts a token: the issuer
/// must equal <c>auth.token.issuer</c> and the audience <c>auth.token.service</c>; now must lie
/// within [nbf - 60 s, exp + 60 s]; the signature must be present; then the signing key is
/// found, in this order of preference, from the header's <c>x5c</c> (the leaf certificate
/// must verify against the root bundle, any key usage; the bundle holding the leaf itself is
/// enough), or from a <c>jwk</c>, or from <c>kid</c> looked up among the root certificates'
/// libtrust key IDs. The signature is then checked with that key and the header's
/// <c>alg</c>. Finally every requested action must be in the <c>access</c> claim, matched on
/// type and name. We send both <c>x5c</c> and the libtrust <c>kid</c>; x5c wins.
/// </remarks>
internal sealed class TokenSigner : IDisposable
{
    private readonly RSA _key;

    public TokenSigner()
    {
        _key = RSA.Create(2048);
        var request = new CertificateRequest("CN=CriO test token signer", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, critical: true));
        var now = DateTimeOffset.UtcNow;
        Certificate = request.CreateSelfSigned(now.AddHours(-1), now.AddDays(7));
        KeyId = LibtrustKeyId(_key.ExportSubjectPublicKeyInfo());
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>The libtrust fingerprint of the public key (what the registry calls a key ID).</summary>
    public string KeyId { get; }

    /// <summary>The compact serialization of a JWT with <paramref name="writeClaims"/> as its claim set.</summary>
    /// <remarks>Without <paramref name="includeCertificateChain"/> the registry can only find the key by <c>kid</c>.</remarks>
    public string Sign(bool includeCertificateChain, Action<Utf8JsonWriter> writeClaims)
    {
        var header = JsonBytes.Object(w =>
        {
            w.WriteString("typ", "JWT");
            w.WriteString("alg", "RS256");
            w.WriteString("kid", KeyId);
            if (includeCertificateChain)
            {
                w.WriteStartArray("x5c");
                w.WriteStringValue(Convert.ToBase64String(Certificate.RawData));
                w.WriteEndArray();
            }
        });
        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(JsonBytes.Object(writeClaims));
        var signature = _key.SignData(System.Text.Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }

    /// <summary>
    /// libtrust's key ID: the SHA-256 of the DER SubjectPublicKeyInfo, first 240 bits, base32
    /// (RFC 4648 alphabet, no padding), in twelve groups of four joined by ':'.
    /// </summary>
    internal static string LibtrustKeyId(byte[] subjectPublicKeyInfo)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var hash = SHA256.HashData(subjectPublicKeyInfo).AsSpan(0, 30);
        var chars = new char[48];
        for (var i = 0; i < 48; i++)
        {
            // Bits [5i, 5i + 5) of the 240-bit string, most significant first.
            var bit = i * 5;
            var pair = (hash[bit / 8] << 8) | (bit / 8 + 1 < hash.Length ? hash[bit / 8 + 1] : 0);
            chars[i] = Alphabet[(pair >> (11 - bit % 8)) & 0x1F];
        }

        return string.Join(':', Enumerable.Range(0, 12).Select(g => new string(chars, g * 4, 4)));
    }
}
