"""Invented wording the replica draws on: report themes, improvement actions, officers' names.

Nothing here is seen on the real site except the category and sub-category names (site notes
§5.1-§5.2, some RECALLED); the sentences imitate the site's style so the parsers meet realistic text.
"""

from __future__ import annotations

SERVICES_BY_KIND = {
    # Which services a kind of council runs, so a district is never reported over school transport.
    "County": ("care", "children", "education", "highways", "environment"),
    "District": ("housing", "planning", "environment", "benefits"),
    "Metropolitan": (
        "care",
        "children",
        "education",
        "highways",
        "housing",
        "planning",
        "environment",
        "benefits",
    ),
    "Unitary": (
        "care",
        "children",
        "education",
        "highways",
        "housing",
        "planning",
        "environment",
        "benefits",
    ),
    "London Borough": (
        "care",
        "children",
        "education",
        "highways",
        "housing",
        "planning",
        "environment",
        "benefits",
    ),
}

IMPROVEMENT_CATEGORIES = {
    # Display name -> (filter id, service, sub-categories). Ids invented except Education = 1015 (SEEN).
    "Adult care services": (
        1010,
        "care",
        (
            "Assessment and care plan",
            "Charging",
            "Safeguarding",
            "Residential care",
            "Domiciliary care",
            "Direct payments",
            "Other",
        ),
    ),
    "Benefits and tax": (
        1011,
        "benefits",
        ("Housing benefit and council tax benefit", "Council tax", "Business rates", "Council tax reduction"),
    ),
    "Children's care services": (
        1012,
        "children",
        (
            "Child protection",
            "Fostering",
            "Looked after children",
            "Special guardianship",
            "Disabled children",
            "Adoption",
        ),
    ),
    "Environment and regulation": (
        1013,
        "environment",
        (
            "Antisocial behaviour",
            "Noise",
            "Pollution",
            "Licensing",
            "Refuse and recycling",
            "Trees",
            "Drainage",
        ),
    ),
    "Housing": (
        1014,
        "housing",
        (
            "Homelessness",
            "Allocations",
            "Council house repairs",
            "Disabled facilities grants",
            "Private housing",
        ),
    ),
    "Education": (
        1015,
        "education",
        (
            "Special educational needs",
            "Alternative provision",
            "School admissions",
            "School transport",
            "Elective home education",
        ),
    ),
    "Planning": (1016, "planning", ("Planning applications", "Enforcement", "Building control")),
    "Transport and highways": (
        1017,
        "highways",
        (
            "Highway repair and maintenance",
            "Traffic management",
            "Rights of way",
            "Parking and other penalties",
        ),
    ),
    "Other categories": (
        1018,
        "corporate",
        ("Corporate and other services", "Councillor conduct and standards", "Land", "Leisure and culture"),
    ),
}

IMPROVEMENT_ACTIONS = {
    # Category -> agreed actions in the site's voice; a case takes one to three of them.
    "Adult care services": (
        "The Council has agreed to remind staff of the need to complete care and support plans within the "
        "timescales set out in its procedures.",
        "The Council will review its financial assessment letters so they explain clearly how charges are "
        "calculated and how to ask for a review.",
        "The Council has agreed to provide training to social workers on carrying out carers' assessments.",
        "Review how the Council monitors the quality of care provided by its commissioned home care agencies "
        "and report the outcome to the Ombudsman.",
        "The Council will ensure that safeguarding enquiries are completed promptly and that the person who "
        "raised the concern is told the outcome.",
        "The Council has agreed to remind staff that a person's capacity to make decisions about their care "
        "must be assessed and recorded.",
    ),
    "Benefits and tax": (
        "The Council has agreed to review its procedures for handling reconsideration requests so decisions "
        "are made within the target timescales.",
        "The Council will remind staff to consider a taxpayer's circumstances before passing a council tax "
        "debt to enforcement agents.",
        "The Council has agreed to review its template letters so they explain appeal rights clearly.",
        "The Council will provide refresher training to benefits staff on backdating claims.",
        "Review the Council's process for applying council tax discounts and exemptions when it is told of a "
        "change in circumstances.",
    ),
    "Children's care services": (
        "The Council has agreed to remind social workers to share assessments with parents before child "
        "protection conferences.",
        "The Council will review its procedures for paying allowances to family and friends carers to ensure "
        "they are paid at the correct rate.",
        "The Council has agreed to ensure that complaints under the children's statutory complaints "
        "procedure "
        "progress to stage two without delay when requested.",
        "Provide training to staff on the support available to care leavers and the duty to keep pathway "
        "plans "
        "under review.",
        "The Council will review how it records decisions about contact arrangements for looked after "
        "children.",
    ),
    "Environment and regulation": (
        "The Council has agreed to review its procedures for investigating noise complaints and to keep "
        "complainants informed of progress.",
        "The Council will remind officers to record the reasons for decisions not to take enforcement "
        "action.",
        "The Council has agreed to review how it responds to reports of missed bin collections so repeated "
        "failures are identified.",
        "Provide guidance to staff on using the powers available under the Anti-social Behaviour, Crime and "
        "Policing Act 2014, including the community trigger.",
        "The Council will ensure licensing decisions are recorded with reasons and shared with objectors.",
    ),
    "Housing": (
        "The Council has agreed to review its procedures to ensure homelessness applicants are given written "
        "decisions which explain their review rights.",
        "The Council will remind staff to assess the suitability of temporary accommodation, including the "
        "needs of any children in the household.",
        "The Council has agreed to review how it deals with requests to change a housing register band when "
        "new medical evidence is provided.",
        "Provide training to housing officers on the duties owed to applicants under Part 7 of the Housing "
        "Act 1996.",
        "The Council will review its process for approving disabled facilities grants so works are not "
        "delayed.",
        "The Council has agreed to set up a system for monitoring repairs reported by tenants so that "
        "outstanding work is followed up.",
    ),
    "Education": (
        "The Council has agreed to review its procedures for issuing Education, Health and Care Plans within "
        "the statutory timescales.",
        "The Council will ensure it considers its duty under section 19 of the Education Act 1996 when a "
        "child "
        "is out of school for health reasons.",
        "The Council has agreed to review its school transport policy so it reflects the statutory guidance.",
        "Provide training to SEN caseworkers on the annual review process and the timescales that apply.",
        "The Council will remind staff to keep parents informed when provision set out in a child's plan "
        "cannot be delivered.",
    ),
    "Planning": (
        "The Council has agreed to remind planning officers to record how they have considered the impact of "
        "a development on neighbouring residents.",
        "The Council will review its procedures for responding to reports of possible planning breaches.",
        "The Council has agreed to provide training to officers on assessing the impact of overlooking and "
        "loss of light.",
        "Review the Council's process for publicising planning applications so neighbours are notified.",
    ),
    "Transport and highways": (
        "The Council has agreed to review how it prioritises highway repairs reported by residents.",
        "The Council will remind staff to consider representations against penalty charge notices "
        "properly before rejecting them.",
        "The Council has agreed to update its website so it explains how to report a defect on a public "
        "right "
        "of way.",
        "Provide training to officers on the Council's policy for dropped kerb applications.",
    ),
    "Other categories": (
        "The Council has agreed to review its corporate complaints procedure so complaints are not closed "
        "without a response.",
        "The Council will remind staff to respond to complaints within the timescales in its complaints "
        "policy.",
        "The Council has agreed to review how it handles requests for information held about the "
        "complainant.",
        "Provide guidance to staff on recording contact with members of the public.",
    ),
}

REPORT_THEMES = (
    # (service, headline, standfirst, letter clause). {place} and {name} are filled per council.
    (
        "education",
        "{place} council criticised over special educational needs delays",
        "{name} has agreed to review how it handles Education, Health and Care Plans after the Local "
        "Government "
        "and Social Care Ombudsman found a boy waited more than a year for the support he needed.",
        "its delays in issuing a child's Education, Health and Care Plan",
    ),
    (
        "education",
        "Boy missed a year of school after {place} council failed to act",
        "A boy missed almost a year of education because {name} did not arrange suitable alternative "
        "provision "
        "when he could not attend school, the Local Government and Social Care Ombudsman has found.",
        "its failure to arrange education for a boy who could not attend school",
    ),
    (
        "education",
        "{place} council to review school transport after Ombudsman investigation",
        "{name} is reviewing its school transport policy after the Local Government and Social Care "
        "Ombudsman "
        "found it wrongly refused travel assistance to a boy with special educational needs.",
        "its refusal of school transport to a child with special educational needs",
    ),
    (
        "care",
        "Care charges error leaves {place} man out of pocket",
        "{name} has been told to repay a man it wrongly charged for his care after the Local Government and "
        "Social Care Ombudsman found it did not assess his finances properly.",
        "its failure to assess a man's finances properly before charging him for his care",
    ),
    (
        "care",
        "Ombudsman finds {place} council left disabled man without care",
        "{name} left a disabled man without the care he was assessed as needing for several months, the "
        "Local "
        "Government and Social Care Ombudsman has found.",
        "its failure to arrange the care a disabled man had been assessed as needing",
    ),
    (
        "care",
        "{place} council did not protect vulnerable woman, says Ombudsman",
        "{name} did not properly investigate concerns that a vulnerable woman was being financially abused, "
        "the Local Government and Social Care Ombudsman has found.",
        "its handling of safeguarding concerns about a vulnerable woman",
    ),
    (
        "children",
        "Family and friends carers underpaid by {place} council",
        "{name} has agreed to review the allowances it pays to family and friends foster carers after the "
        "Local "
        "Government and Social Care Ombudsman found a grandmother was paid less than she was entitled to.",
        "its underpayment of allowances to a grandmother caring for her grandchildren",
    ),
    (
        "children",
        "Young people leaving care let down by {place} council",
        "{name} did not give a young man leaving its care the support it had promised, the Local Government "
        "and Social Care Ombudsman has found.",
        "its failure to support a young man leaving its care",
    ),
    (
        "housing",
        "Family left in unsuitable temporary accommodation by {place} council",
        "A mother and her three children were left in a single room for more than a year because {name} did "
        "not "
        "properly consider whether the accommodation was suitable, the Local Government and Social Care "
        "Ombudsman has found.",
        "its failure to consider whether a family's temporary accommodation was suitable",
    ),
    (
        "housing",
        "{place} council delayed disabled facilities grant for three years",
        "A disabled woman waited three years for adaptations to her home because {name} did not process her "
        "grant application properly, the Local Government and Social Care Ombudsman has found.",
        "its delays in providing a disabled facilities grant",
    ),
    (
        "housing",
        "Homeless man left sleeping in his car by {place} council",
        "{name} did not give a homeless man the help it should have when he approached it for advice, the "
        "Local "
        "Government and Social Care Ombudsman has found.",
        "its failure to help a homeless man who approached it for advice",
    ),
    (
        "planning",
        "Planning failure leaves {place} family overlooked",
        "A family's home is now overlooked by a neighbouring extension because {name} did not properly "
        "consider "
        "the impact of the development on their privacy, the Local Government and Social Care Ombudsman has "
        "found.",
        "its failure to consider the impact of a neighbour's extension on a family's home",
    ),
    (
        "environment",
        "{place} council failed to act on neighbour noise complaints",
        "A woman was left to cope with months of noise from a neighbouring property because {name} did not "
        "investigate her reports properly, the Local Government and Social Care Ombudsman has found.",
        "its failure to investigate a resident's reports of noise nuisance",
    ),
    (
        "benefits",
        "Council tax error sees {place} woman wrongly pursued by bailiffs",
        "{name} sent enforcement agents to a woman's home over council tax she did not owe, the Local "
        "Government "
        "and Social Care Ombudsman has found.",
        "its pursuit of a woman for council tax she did not owe",
    ),
    (
        "highways",
        "{place} council left dangerous pavement unrepaired",
        "{name} failed to repair a pavement it knew to be dangerous for more than a year, the Local "
        "Government "
        "and Social Care Ombudsman has found.",
        "its failure to repair a pavement it knew to be dangerous",
    ),
)

OFFICER_SURNAMES = (
    "Adams",
    "Ahmed",
    "Bailey",
    "Barker",
    "Bennett",
    "Bishop",
    "Brennan",
    "Burgess",
    "Campbell",
    "Carter",
    "Chapman",
    "Clarke",
    "Coleman",
    "Collins",
    "Cooper",
    "Davies",
    "Dawson",
    "Dixon",
    "Edwards",
    "Ellis",
    "Fletcher",
    "Foster",
    "Gardner",
    "Gibson",
    "Graham",
    "Grant",
    "Hall",
    "Harding",
    "Harris",
    "Hayward",
    "Hughes",
    "Hunt",
    "Jackson",
    "Jenkins",
    "Kaur",
    "Kelly",
    "Khan",
    "Knight",
    "Lawrence",
    "Lloyd",
    "Marsh",
    "Mason",
    "Mitchell",
    "Morgan",
    "Murray",
    "Nash",
    "Owen",
    "Palmer",
    "Parker",
    "Patel",
    "Pearson",
    "Price",
    "Reeves",
    "Richards",
    "Robinson",
    "Rowe",
    "Shaw",
    "Singh",
    "Stevens",
    "Sutton",
    "Taylor",
    "Thornton",
    "Turner",
    "Walsh",
    "Ward",
    "Watson",
    "Webb",
    "Wheeler",
    "Whitehead",
    "Wilkinson",
    "Wood",
    "Wright",
)

OFFICER_TITLES = ("Mr", "Ms", "Mrs", "Dr")

OFFICER_ROLES = (
    # (role, weight): most letters go to a Chief Executive (site notes §3.9).
    ("Chief Executive", 80),
    ("Managing Director", 8),
    ("Head of Paid Service", 7),
    ("Chief Operating Officer", 5),
)
