// Test-only PKI for the CSMS signer (csr-signer.ts), made once with OpenSSL 3.0 and committed:
// these keys protect nothing. How they were made:
//
//   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key
//   openssl req -x509 -new -key ca.key -subj "/O=Test CSMS/CN=Test CSMS Charger Sub-CA" -days 36500 -sha256 \
//     -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
//     -addext "subjectKeyIdentifier=hash" -out ca.crt
//   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key
//   openssl ec -in other.key -out other-sec1.key                      # the same key, SEC1 ("EC PRIVATE KEY")
//   openssl req -x509 -new -key other.key -subj "/CN=Not a CA" -days 36500 -sha256 \
//     -addext "basicConstraints=critical,CA:FALSE" -out notca.crt
//   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out cp.key
//   openssl req -new -key cp.key -subj "/O=Test CPO/CN=signer-cp-1" -sha256 -out cp-ec.csr
//   openssl req -new -key cp.key -subj "/O=Test CPO/CN=somebody-else" -sha256 -out cp-wrongcn.csr
//   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out cprsa.key
//   openssl req -new -key cprsa.key -subj "/O=Test CPO/CN=signer-cp-2" -sha256 -out cp-rsa.csr

export const CA_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg3eN6AEVYbtFOgFYm
SibiPaqsea1xBjCNRxwGueS99cyhRANCAATd+c7p6+Xppc1mIdg1knxkkoXhOIGc
vfopxURMJdA/Sxh3qjYAKX3htHMJynSxpK4UdzFqqcml8oFwnRp7JXR2
-----END PRIVATE KEY-----
`;

export const CA_CERT = `-----BEGIN CERTIFICATE-----
MIIB2DCCAX6gAwIBAgIUNtFOJycFMhyBcTb7csQN9Bk/jh0wCgYIKoZIzj0EAwIw
NzESMBAGA1UECgwJVGVzdCBDU01TMSEwHwYDVQQDDBhUZXN0IENTTVMgQ2hhcmdl
ciBTdWItQ0EwIBcNMjYxMTMwMjAyMTIxWhgPMjEyNjExMDYyMDIxMjFaMDcxEjAQ
BgNVBAoMCVRlc3QgQ1NNUzEhMB8GA1UEAwwYVGVzdCBDU01TIENoYXJnZXIgU3Vi
LUNBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE3fnO6evl6aXNZiHYNZJ8ZJKF
4TiBnL36KcVETCXQP0sYd6o2ACl94bRzCcp0saSuFHcxaqnJpfKBcJ0aeyV0dqNm
MGQwHwYDVR0jBBgwFoAURO6wFezDhwYm/HwDgdvPYnQHZTswEgYDVR0TAQH/BAgw
BgEB/wIBADAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFETusBXsw4cGJvx8A4Hb
z2J0B2U7MAoGCCqGSM49BAMCA0gAMEUCIQCTe3gFt951l1ALQ60AitaqNPEd62Dr
o32oNxmr72LA6QIgS23pEFRm5pAOgkB+4eja2mG18YNMKTi550lNg0Pg5OE=
-----END CERTIFICATE-----
`;

export const OTHER_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgV1U0m0mqtomgdFdY
Gb3cdXRIhqnAZMpw+gVxNm5gS3ChRANCAAT0n2I0ywGWUi90qULtfWBSVtcGAE8k
laUDWYtnvII3++L7KFVfRYIlb7dY1ORskpRMMoUfGQiYYzP+oqBHCxUt
-----END PRIVATE KEY-----
`;

export const OTHER_KEY_SEC1 = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIFdVNJtJqraJoHRXWBm93HV0SIapwGTKcPoFcTZuYEtwoAoGCCqGSM49
AwEHoUQDQgAE9J9iNMsBllIvdKlC7X1gUlbXBgBPJJWlA1mLZ7yCN/vi+yhVX0WC
JW+3WNTkbJKUTDKFHxkImGMz/qKgRwsVLQ==
-----END EC PRIVATE KEY-----
`;

export const NOT_CA_CERT = `-----BEGIN CERTIFICATE-----
MIIBejCCASCgAwIBAgIULqueIC5jCfyfdoLSWstzZE6b9qowCgYIKoZIzj0EAwIw
EzERMA8GA1UEAwwITm90IGEgQ0EwIBcNMjYxMTMwMjAyMTI3WhgPMjEyNjExMDYy
MDIxMjdaMBMxETAPBgNVBAMMCE5vdCBhIENBMFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAE9J9iNMsBllIvdKlC7X1gUlbXBgBPJJWlA1mLZ7yCN/vi+yhVX0WCJW+3
WNTkbJKUTDKFHxkImGMz/qKgRwsVLaNQME4wHQYDVR0OBBYEFNraeH04l4LWURUg
yfQ9ojoYPlCLMB8GA1UdIwQYMBaAFNraeH04l4LWURUgyfQ9ojoYPlCLMAwGA1Ud
EwEB/wQCMAAwCgYIKoZIzj0EAwIDSAAwRQIgcMGG/LYVjoNu9vngC7vjPk7KKRtU
pN8yFUlAM5nj4skCIQCF9MP786ktYNFDAEaUq3qUPVtsEPtr2d0Kyovn6hivmQ==
-----END CERTIFICATE-----
`;

export const CSR_EC_SIGNER_CP_1 = `-----BEGIN CERTIFICATE REQUEST-----
MIHjMIGLAgEAMCkxETAPBgNVBAoMCFRlc3QgQ1BPMRQwEgYDVQQDDAtzaWduZXIt
Y3AtMTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABAj1Am2biiEjTQG3ldSGgoCu
lisxXWuVzrgNUnXYrPkUvqFoqk8oAKOjpdQGTvuXxVUXiYqwuIPCuesnw2CNYPGg
ADAKBggqhkjOPQQDAgNHADBEAiBGl3ImGLlICjLVi4REgQfrnibtLJwG2EjZs7F0
x1R/swIgcBPAkJ8vnJfWSNQh5FFnpOvt7vfbX2Y38FiNsTKyrgw=
-----END CERTIFICATE REQUEST-----
`;

export const CSR_RSA_SIGNER_CP_2 = `-----BEGIN CERTIFICATE REQUEST-----
MIICbjCCAVYCAQAwKTERMA8GA1UECgwIVGVzdCBDUE8xFDASBgNVBAMMC3NpZ25l
ci1jcC0yMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyVTxKjKNd914
Kb2EJ8KRmJ18/4Top6YdL25LZL3uWRgJuzTM6huZ5iIZEU/cVh+C+Ej/JFM1CnD6
TIyKsJWsYt8YFUyhGMqncCV0r4WfhsEGSK9BDik90Bdx6vfIy+Wy8WgwYKXntxqv
X4gBhxtUG7yQpcVhbmOYiy1StK5Tc/eam4V1jQinHvM89cu08fInGUIBvrb3pr39
RnwyRU6L9/ouGc6xQWJUV0XvunJigq0dvRVVJhRy5w0iHYCWNeqemZkjs6vw8Au1
holBzUJfrrfDs8B31qHli+8pf7QF+ka4efQUW4g0ECg5nZgRffLx16V0NFi3JerF
ISHsxNRs4QIDAQABoAAwDQYJKoZIhvcNAQELBQADggEBAHwAuC0P34iesrzOQ/5+
3CWq7jrejtfZL1nLhpbe+cUDItRiMyrMCgluCTeAoktM/hPZGiuNJvGPwnSRIlf2
F+eWTnS0ZVQpofUdsApM6n58HEoqvI0MAEnKdgq7uqjzQwDcNVkOzigQ8JB3uVxz
KPGjgmA+aTNMmF/l1KdHJmUc2jXmEEjxFj+1LoCMIcnZ6bWNNGGFtIPWkiZSd6Js
55uYIK1tgE+Dop7b/yaYrR/zta6saknmv/020wiHMnhv4Q6JGBP9RkihGDWS31Tw
peXla+XZCVwIo8ORKzJsmm/lnZFZ+Wk9I83hGQdWG4IkgLEHfPeVG8Wof7v8ntuG
0I4=
-----END CERTIFICATE REQUEST-----
`;

export const CSR_EC_WRONG_CN = `-----BEGIN CERTIFICATE REQUEST-----
MIHlMIGNAgEAMCsxETAPBgNVBAoMCFRlc3QgQ1BPMRYwFAYDVQQDDA1zb21lYm9k
eS1lbHNlMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAECPUCbZuKISNNAbeV1IaC
gK6WKzFda5XOuA1Sddis+RS+oWiqTygAo6Ol1AZO+5fFVReJirC4g8K56yfDYI1g
8aAAMAoGCCqGSM49BAMCA0cAMEQCIH0pvqyr6ufI9oLIrKs/QcCX+tuBq14sIMew
DXmFbud3AiAcWm4M+hi7xBroxXWokWo4rZ/1p2HHNHIEh3bNMhHckQ==
-----END CERTIFICATE REQUEST-----
`;
