"""In a real browser, under the Content-Security-Policy: the API docs page's inline script
(with the nonce) runs and draws Swagger UI; a script without the nonce does not run."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def csp_errors(page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return errors


@pytest.mark.django_db(transaction=True)
def test_the_api_docs_inline_script_runs_under_the_policy(page, screenshot):
    errors = csp_errors(page)
    response = page.goto("/api/docs/")
    assert "nonce-" in response.headers["content-security-policy"]
    # Swagger UI is started by the page's one inline script: its operations appear.
    page.locator(".opblock-summary-path", has_text="/api/v1/duties/quote").first.wait_for()
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Silkway API")
    screenshot("api-docs")
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_a_script_without_the_nonce_is_refused(page):
    errors = csp_errors(page)
    page.goto("/en/")
    ran = page.evaluate(
        """() => new Promise((resolve) => {
            document.addEventListener("securitypolicyviolation", () => resolve(window.injected === 1));
            const script = document.createElement("script");
            script.textContent = "window.injected = 1";
            document.body.appendChild(script);
            setTimeout(() => resolve(window.injected === 1), 2000);
        })"""
    )
    assert ran is False
    assert any("script-src" in error for error in errors), errors
