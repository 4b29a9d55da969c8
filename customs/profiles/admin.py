"""Back-office screens for customs profiles, companies and signing keys.

Secrets (private key, its password, the USB key and token PINs) are write-only: the form
shows empty password fields, a blank field keeps the stored value, and the change list says
only whether one is set. Saving a key checks that the backend can be built from what was
entered (for a software key: the private key matches the certificate and the method).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from customs.signing import keys
from customs.signing.signers import SoftwareSigner

from .models import PARTY_FIELDS, CustomsCompany, CustomsProfile, SigningKey

SECRETS = ("private_key", "private_key_password", "agent_password", "pkcs11_pin")


class SigningKeyForm(forms.ModelForm):
    private_key = forms.CharField(
        label=_("private key (PEM)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text=_("Write-only: leave empty to keep the stored key."),
    )
    private_key_password = forms.CharField(
        label=_("private key password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )
    agent_password = forms.CharField(
        label=_("USB key PIN"), required=False, widget=forms.PasswordInput(render_value=False)
    )
    pkcs11_pin = forms.CharField(
        label=_("token PIN"), required=False, widget=forms.PasswordInput(render_value=False)
    )

    class Meta:
        model = SigningKey
        fields = [
            "name",
            "algorithm",
            "backend",
            "certificate",
            "cert_no",
            "private_key",
            "private_key_password",
            "agent_url",
            "agent_password",
            "pkcs11_module",
            "pkcs11_token",
            "pkcs11_key_label",
            "pkcs11_pin",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRETS:
            self.initial[name] = ""

    def clean(self):
        data = super().clean()
        for name in SECRETS:
            if not data.get(name) and self.instance.pk:
                data[name] = getattr(self.instance, name)
        try:
            certificate = keys.load_certificate((data.get("certificate") or "").encode())
            keys.certificate_public_key(certificate)
        except (keys.KeyError_, ValueError):
            raise ValidationError(
                {"certificate": _("This is not a readable X.509 certificate.")}
            ) from None
        backend = data.get("backend")
        if backend == SigningKey.Backend.SOFTWARE:
            if not data.get("private_key"):
                raise ValidationError({"private_key": _("A software key needs its private key.")})
            password = data.get("private_key_password") or None
            try:
                signer = SoftwareSigner.from_pem(
                    data["private_key"].encode(),
                    certificate_der=certificate,
                    key_name=data.get("cert_no") or "",
                    password=password.encode() if password else None,
                )
            except (keys.KeyError_, ValueError, TypeError):
                raise ValidationError(
                    {
                        "private_key": _(
                            "The private key cannot be read with this password, or does not belong to "
                            "the certificate."
                        )
                    }
                ) from None
            if signer.algorithm.value != data.get("algorithm"):
                raise ValidationError({"algorithm": _("The key does not sign with this method.")})
        elif backend == SigningKey.Backend.AGENT and not data.get("agent_url"):
            raise ValidationError({"agent_url": _("A remote signing agent needs its URL.")})
        elif backend == SigningKey.Backend.PKCS11:
            missing = [
                f for f in ("pkcs11_module", "pkcs11_token", "pkcs11_key_label") if not data.get(f)
            ]
            if missing:
                raise ValidationError({f: _("Required for a PKCS#11 key.") for f in missing})
            if data.get("algorithm") == SigningKey.Algorithm.SM2_SM3:
                raise ValidationError(
                    {
                        "algorithm": _(
                            "SM2 over PKCS#11 needs the module's vendor mechanism; use RSA-SHA1 or the "
                            "signing agent."
                        )
                    }
                )
        return data

    def save(self, commit=True):
        key = super().save(commit=False)
        for name in SECRETS:
            setattr(key, name, self.cleaned_data.get(name) or "")
        if commit:
            key.save()
        return key


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    form = SigningKeyForm
    list_display = ("name", "algorithm", "backend", "cert_no", "has_private_key", "active")
    list_filter = ("algorithm", "backend", "active")
    search_fields = ("name", "cert_no")

    @admin.display(boolean=True, description=_("private key stored"))
    def has_private_key(self, obj):
        return bool(obj.private_key)


@admin.register(CustomsCompany)
class CustomsCompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "role", "merchant")
    list_filter = ("role",)
    search_fields = ("name", "code")
    autocomplete_fields = ("merchant",)


@admin.register(CustomsProfile)
class CustomsProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "merchant", "customs_code", "port_code", "transport", "signing_key")
    list_filter = ("transport",)
    search_fields = ("name", "merchant__name_en", "merchant__name_zh_hans", "dxp_id")
    list_select_related = ("merchant", "signing_key")
    autocomplete_fields = ("merchant",)
    fieldsets = (
        (None, {"fields": ("name", "merchant")}),
        (_("Parties"), {"fields": PARTY_FIELDS}),
        (_("Customs"), {"fields": ("customs_code", "port_code", "ems_no")}),
        (
            _("Data exchange"),
            {
                "fields": (
                    "dxp_id",
                    "receiver_id",
                    "transport",
                    "gateway_url",
                    "queue_prefix",
                    "signing_key",
                )
            },
        ),
    )
