using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace CriO.Image.Registry;

/// <summary>
/// TLS for one registry as containers/image sets it up: the system's CAs plus every `*.crt` in
/// certs.d/HOST/ as extra roots, `*.cert` + `*.key` pairs there as client certificates, and no
/// verification at all for a registry configured insecure.
/// </summary>
internal static class RegistryTls
{
    public static SslClientAuthenticationOptions Options(RegistryEndpoint endpoint)
    {
        var extraRoots = new X509Certificate2Collection();
        var clientCertificates = new X509CertificateCollection();
        if (Directory.Exists(endpoint.CertsDirectory))
        {
            foreach (var file in Directory.GetFiles(endpoint.CertsDirectory).Order(StringComparer.Ordinal))
            {
                if (file.EndsWith(".crt", StringComparison.Ordinal))
                {
                    extraRoots.ImportFromPemFile(file);
                }
                else if (file.EndsWith(".cert", StringComparison.Ordinal) && File.Exists(Path.ChangeExtension(file, ".key")))
                {
                    clientCertificates.Add(X509Certificate2.CreateFromPemFile(file, Path.ChangeExtension(file, ".key")));
                }
            }
        }

        return new SslClientAuthenticationOptions
        {
            ClientCertificates = clientCertificates,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                if (endpoint.Insecure || errors == SslPolicyErrors.None)
                {
                    return true;
                }

                // Only a chain problem can be cured by the registry's own CA; a name mismatch cannot.
                if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null || extraRoots.Count == 0)
                {
                    return false;
                }

                using var custom = new X509Chain();
                custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                custom.ChainPolicy.CustomTrustStore.AddRange(extraRoots);
                custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                if (chain is not null)
                {
                    custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
                }

                return custom.Build(new X509Certificate2(certificate));
            },
        };
    }
}
