"""Marketing (marketing/, docs/MARKETING.md)."""

from .base import REDIS_URL
from .env import env_int, env_str

# The flash-sale gate's Redis (marketing/flash/gate.py): the project's Redis unless set.
# Without one (the embedded default) flash sales admit nobody: the gate is the only way in.
FLASH_GATE_REDIS_URL = env_str("FLASH_GATE_REDIS_URL") or REDIS_URL
# A Redis that does not answer within this many seconds is down: the sale stops.
FLASH_GATE_TIMEOUT_SECONDS = float(env_str("FLASH_GATE_TIMEOUT_SECONDS", "0.5"))
# An admitted shopper has this long to place their checkout before the units go back.
FLASH_ADMISSION_MINUTES = env_int("FLASH_ADMISSION_MINUTES", 10)
# A coupon for "new shoppers" is for accounts younger than this many days (marketing sits
# below orders, so it judges by the account, not by past orders).
COUPON_NEW_SHOPPER_DAYS = env_int("COUPON_NEW_SHOPPER_DAYS", 30)
# Distribution: a purchase is attributed to the last distributor link the shopper opened
# within this many days; commission is this percentage of what the buyer paid for the goods.
DISTRIBUTION_ATTRIBUTION_DAYS = env_int("DISTRIBUTION_ATTRIBUTION_DAYS", 7)
DISTRIBUTION_COMMISSION_PERCENT = env_str("DISTRIBUTION_COMMISSION_PERCENT", "5")
# Level 2 (the distributor who recruited the seller) and the buyer's shopping rebate, in % of
# what the buyer paid for the line, where no commission-rate row says otherwise.
DISTRIBUTION_LEVEL2_PERCENT = env_str("DISTRIBUTION_LEVEL2_PERCENT", "1")
DISTRIBUTION_REBATE_PERCENT = env_str("DISTRIBUTION_REBATE_PERCENT", "0")
# The bounds within which a merchant sets its own rates (operators set any).
DISTRIBUTION_MERCHANT_MIN_PERCENT = env_str("DISTRIBUTION_MERCHANT_MIN_PERCENT", "1")
DISTRIBUTION_MERCHANT_MAX_PERCENT = env_str("DISTRIBUTION_MERCHANT_MAX_PERCENT", "30")
# Commission stays frozen until the order completes (its merchant's return window, returns'
# ReturnPolicy, passed with no return open): no setting of its own.

# Points (docs/MARKETING.md, "Points"): earned on completed orders, redeemed at checkout as a
# non-cash deduction. Defaults: 1 point per yuan paid for the goods (a merchant or category
# may set its own rate, PointsRate), 100 points = ¥1, at most 20 % of an order's goods,
# expiring 365 days after they were earned.
POINTS_EARN_PER_YUAN = env_str("POINTS_EARN_PER_YUAN", "1")
POINTS_VALUE_PER_POINT = env_str("POINTS_VALUE_PER_POINT", "0.01")
POINTS_MAX_SHARE = env_str("POINTS_MAX_SHARE", "0.20")
POINTS_EXPIRE_DAYS = env_int("POINTS_EXPIRE_DAYS", 365)
# The most points per yuan a merchant may give on its goods (operators set any rate).
POINTS_MERCHANT_MAX_PER_YUAN = env_str("POINTS_MERCHANT_MAX_PER_YUAN", "5")
