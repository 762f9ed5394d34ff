"""The demo users, one per role, with the passwords ``make run`` prints."""

DEMO_USERS = [
    # username, password, full name, role, department kind, team, partner code
    ("admin", "admin-demo-2026", "Ada Lin", "administrator", "management", None, None),
    (
        "wang.fang",
        "outsourcing-demo",
        "Wang Fang",
        "outsourcing",
        "outsourcing",
        "Supplier development",
        None,
    ),
    ("li.na", "finance-demo", "Li Na", "finance", "finance", "Accounts payable", None),
    ("zhang.wei", "quality-demo", "Zhang Wei", "quality", "quality", "Supplier quality", None),
    (
        "chen.jie",
        "manufacturing-demo",
        "Chen Jie",
        "manufacturing",
        "manufacturing",
        "Line 1 team A",
        None,
    ),
    ("liu.yang", "management-demo", "Liu Yang", "management", "management", None, None),
    ("zhao.min", "compliance-demo", "Zhao Min", "compliance", "compliance", None, None),
    ("huang.lei", "partner-demo", "Huang Lei", "partner", None, None, "CMO-SZP"),
    ("tan.mei", "regrind-demo", "Tan Mei", "partner", None, None, "RG-GREENLOOP"),
]


def print_logins(out) -> None:
    out.write("\nDemo logins (username / password, role):\n")
    for username, password, full_name, role, _dept, _team, partner in DEMO_USERS:
        extra = f", partner {partner}" if partner else ""
        out.write(f"  {username:<11} {password:<20} {role}{extra} ({full_name})\n")
