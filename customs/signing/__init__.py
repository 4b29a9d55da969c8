"""Enveloped XML signatures (SM2-SM3, RSA-SHA1), keys and certificates, and the signer
backends behind one interface (software key, remote signing agent, PKCS#11)."""
