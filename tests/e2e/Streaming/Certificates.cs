using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CriO.E2E.Tests.Streaming;

/// <summary>Throwaway certificates for the TLS tests, made in-process (RSA 2048, valid for an hour).</summary>
internal static class Certificates
{
    public static X509Certificate2 SelfSigned(string name, bool authority = false)
    {
        // Not disposed: the certificate made from it keeps using it.
        var key = RSA.Create(2048);
        var request = Request(name, key, authority);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
    }

    public static X509Certificate2 SignedBy(X509Certificate2 authority, string name)
    {
        // Not disposed: the certificate made from it keeps using it.
        var key = RSA.Create(2048);
        var request = Request(name, key, authority: false);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));   // client authentication
        using var issued = request.Create(authority, authority.NotBefore, authority.NotAfter, RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(key);
    }

    private static CertificateRequest Request(string name, RSA key, bool authority)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (authority)
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        }
        else if (IPAddress.TryParse(name, out var address))
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(address);
            request.CertificateExtensions.Add(names.Build());
        }

        return request;
    }
}
