"""``{% load returns %}``: returns on pages that live below this app (a template loading a
tag library is no import):

- ``{% order_returns order %}`` on the shopper's order page: their returns with their status
  (and the label once approved), and the return form while the window is open;
- ``{% return_policy merchant %}`` on the product and store pages: the merchant's window
  and policy text."""

from django import template

from ..forms import ReturnRequestForm
from ..selectors import customs_state, returns_of_order
from ..services import return_deadline, return_policy_of, return_refusal, returnable_lines

register = template.Library()


@register.inclusion_tag("returns/_order_returns.html", takes_context=True)
def order_returns(context, order, form=None):
    returns = returns_of_order(order)
    for found in returns:
        found.customs = customs_state(found)
    refusal = return_refusal(order)
    returnable = returnable_lines(order) if refusal is None else []
    if form is None and returnable:
        form = ReturnRequestForm(returnable=returnable)
    shown = order.status in {"delivered", "completed", "refunded"} or bool(returns)
    return {
        "request": context.get("request"),
        "order": order,
        "returns": returns,
        "form": form if returnable and form is not None and form.returnable else None,
        "refusal": refusal.messages[0] if refusal is not None and shown else "",
        "deadline": return_deadline(order),
        "policy": return_policy_of(order.merchant),
        "shown": shown,
    }


@register.inclusion_tag("returns/_policy.html")
def return_policy(merchant):
    return {"policy": return_policy_of(merchant)}
