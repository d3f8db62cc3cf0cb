"""extract/actions.py: response actions, ransom status and access vectors, each only when stated as done."""

from __future__ import annotations

import pytest

from breachlens.analysis.extract.actions import find_ransom, find_responses, find_vectors


def responses(text: str) -> set[str]:
    """Response-action labels stated as done in one sentence."""
    return {h.label for h in find_responses(text, 0, len(text))}


def ransom(text: str) -> list[str]:
    """Ransom status labels in one sentence."""
    return [h.label for h in find_ransom(text, 0, len(text))]


def vectors(text: str) -> set[str]:
    """Access-vector labels in one sentence."""
    return {h.label for h in find_vectors(text, 0, len(text))}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The company has notified the police and affected customers.", {"law_enforcement_notified", "customers_notified"}),
        ("Brightwell said it had informed the data protection authority.", {"regulator_notified"}),
        ("External cybersecurity experts have been engaged to help.", {"external_experts_engaged"}),
        ("The firm hired a forensics firm and is investigating the incident.", {"external_experts_engaged", "investigation"}),
        ("It offered affected members free credit monitoring for two years.", {"credit_monitoring_offered"}),
        ("Staff reset all passwords and secured its systems overnight.", {"systems_secured"}),
        ("Online orders were suspended for three days.", {"services_disrupted"}),
        ("The publisher has forced a password reset for every account.", {"systems_secured"}),
        ("It is also notifying players in each country where it operates.", {"customers_notified"}),
    ],
)
def test_actions_responses_reported(text: str, expected: set[str]) -> None:
    assert responses(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Companies should notify the police as soon as a breach is found.",
        "Retailers must inform affected customers within 72 hours.",
        "Experts recommend that firms engage outside forensics specialists.",
        "If you are affected, contact your bank.",
        "Did the company notify the regulator?",
    ],
)
def test_actions_advice_is_not_a_response(text: str) -> None:
    assert responses(text) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The retailer refused to pay the ransom.", ["refused"]),
        ("Halvard declined the ransom and restored from backups.", ["refused"]),
        ("The operator paid a ransom of 40 bitcoin.", ["paid"]),
        ("The gang demanded a ransom of $2 million.", ["demanded"]),
        ("A ransom note was left on every server.", ["demanded"]),
    ],
)
def test_actions_ransom_status(text: str, expected: list[str]) -> None:
    assert ransom(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Even when a ransom is not paid, stolen data often leaks.",
        "Victims who pay a ransom are typically targeted again.",
        "Should firms ever pay a ransom?",
        "Insurers say a ransom can be negotiated down.",
    ],
)
def test_actions_generic_ransom_is_nothing(text: str) -> None:
    assert ransom(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The attackers gained access through a phishing email sent to payroll staff.", {"phishing"}),
        ("Access was obtained via stolen credentials of a contractor.", {"stolen_credentials"}),
        ("The intruders exploited a vulnerability in its file-transfer server.", {"vulnerability_exploit"}),
        ("The breach was traced to a misconfigured storage bucket.", {"misconfiguration"}),
        ("The hackers tricked the help desk with voice phishing calls.", {"vishing"}),
    ],
)
def test_actions_vectors_with_access_context(text: str, expected: set[str]) -> None:
    assert vectors(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The stolen data could be used for phishing.",
        "Customers should watch out for phishing emails.",
        "Phishing is a common problem for retailers.",
        "Criminals often use such details for social engineering.",
    ],
)
def test_actions_risk_is_not_a_vector(text: str) -> None:
    assert vectors(text) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The intruder socially engineered a help desk worker by phone and obtained access.", {"vishing", "social_engineering"}),
        ("Staff forwarded a phishing email, resulting in the installation of malware.", {"phishing", "malware"}),
        ("The firm fended off an SMS phishing attempt on Monday.", {"phishing"}),
        ("Malware on a developer's laptop stole a session cookie.", {"malware", "stolen_credentials"}),
        ("The loss was traced to the leakage of a hot wallet private key.", {"stolen_credentials"}),
        ("Attackers got in via an account which did not have two-factor authentication.", {"stolen_credentials"}),
        ("Data was exposed due to a server configuration change error.", {"misconfiguration"}),
        ("The hack was made possible by a previously unknown vulnerability.", {"vulnerability_exploit"}),
        ("The bank failed to patch its gateway appliance.", {"vulnerability_exploit"}),
        (
            "The gang stole files using a vulnerability in Quarrel's file transfer software.",
            {"third_party", "vulnerability_exploit"},
        ),
        ("The company blamed insider wrongdoing for the leak.", {"insider"}),
        ("Two former employees misappropriated the records.", {"insider"}),
    ],
)
def test_vectors_stated_access(text: str, expected: set[str]) -> None:
    assert vectors(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Two-factor codes were bypassed through token theft, not by phishing the second factor.",
        "Crooks can use names and emails to launch phishing attacks.",
        "Customers should be alert to phishing emails in the coming weeks.",
        "Password managers protect against common tactics like credential stuffing.",
    ],
)
def test_vectors_ruled_out_or_hypothetical(text: str) -> None:
    assert not vectors(text) - {"stolen_credentials"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In an 8-K filing, the firm described the intrusion.", {"regulator_notified"}),
        ("The insurer said in a notice filed with the state attorney general that files were copied.", {"regulator_notified"}),
        (
            "All affected staff, the data protection authorities and the police have been informed.",
            {"customers_notified", "regulator_notified", "law_enforcement_notified"},
        ),
        ("The lab is notifying its hospital partners that their data was taken.", {"customers_notified"}),
        ("The city will provide affected residents with free credit monitoring.", {"credit_monitoring_offered"}),
        ("The airline said it had contacted forensic experts.", {"external_experts_engaged"}),
        ("Before the firm locked the criminals out, they copied some files.", {"systems_secured"}),
        ("Staff disconnected the affected transfer server.", {"systems_secured"}),
        ("The company took certain systems offline.", {"systems_secured"}),
        ("The operator suspended all deposit and withdrawal services.", {"services_disrupted"}),
        ("As of Monday the website was still offline.", {"services_disrupted"}),
        ("The attack forced them to take down their website.", {"services_disrupted"}),
        ("It said it was in contact with federal officials.", {"law_enforcement_notified"}),
    ],
)
def test_responses_more_wordings(text: str, expected: set[str]) -> None:
    assert responses(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Companies will need to notify customers quickly.",
        "A breach notice filed with regulators named the supplier.",
    ],
)
def test_responses_not_done_by_the_victim(text: str) -> None:
    assert "customers_notified" not in responses(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A newspaper confirmed that the firm paid $2.3 million in ransom.", ["paid"]),
        ("It is unclear if files were taken, but a ransom has been demanded.", ["demanded"]),
        ("The government said there will be no ransom payment.", ["refused"]),
        ("The attackers also demanded money during the attack.", ["demanded"]),
        ("A hacker tried to extort the broker after the intrusion.", ["demanded"]),
        ("Several victims have resisted the gang's extortion attempt.", ["refused"]),
        ("Reports did not say how much ransom is being demanded.", []),
        ("Ransom demands have ranged from $25,000 to millions of dollars.", []),
    ],
)
def test_ransom_more_wordings(text: str, expected: list[str]) -> None:
    assert ransom(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Per the letter, two former Norvik employees leaked the data to a newspaper.", {"insider"}),
        (
            "The breach stemmed from its use of file transfer software called Parcel, developed by Quillon.",
            {"third_party"},
        ),
    ],
)
def test_vectors_insiders_and_vendor_products(text: str, expected: set[str]) -> None:
    assert vectors(text) == expected


def test_responses_passive_by_is_not_the_victims_action() -> None:
    assert "customers_notified" not in responses("On Friday the firm was notified by a customer of odd logins.")


def test_responses_temporarily_halted_services() -> None:
    assert responses("The exchange has temporarily halted deposits and withdrawals.") == {"services_disrupted"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The gang got in by calling the company's IT help desk.", {"vishing"}),
        ("Attackers used MFA fatigue to gain access.", {"social_engineering"}),
        ("Hackers accessed accounts that lacked multi-factor authentication.", {"stolen_credentials"}),
        ("Criminals bribed overseas support agents to steal data.", {"insider"}),
        ("Attackers exploited a flaw in a third-party media software package.", {"third_party", "vulnerability_exploit"}),
    ],
)
def test_vectors_help_desk_mfa_and_bribes(text: str, expected: set[str]) -> None:
    assert vectors(text) == expected


def test_vectors_worries_are_not_vectors() -> None:
    assert not vectors("One real concern is that user data was accessed by the malware.")


@pytest.mark.parametrize(
    "text",
    [
        "The retailer revoked the compromised access tokens.",
        "The platform logged out all users and forced them to reset their passwords.",
    ],
)
def test_responses_revocations_secure_systems(text: str) -> None:
    assert responses(text) == {"systems_secured"}
