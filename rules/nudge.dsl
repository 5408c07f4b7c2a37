# Nudge business vocabulary: the sentences .dslr rules are written in (docs/rules.md lists them).
# A sentence starting with "-" adds a condition to the fact named by the sentence above it.
# Longer sentences come before shorter ones that start the same way.

# Journey: one per customer
[when]A customer is browsing = $j : Journey( $c : customerId )
[when]- the customer is on a checkout page = currentPath.contains("/checkout")
[when]- the customer is on a page under "{prefix}" = currentPath.startsWith("{prefix}")
[when]- the customer is on the page "{path}" = currentPath == "{path}"
[when]- the cart value is at least {amount} = cartValue >= {amount}
[when]- the cart holds at least {units} units = cartQuantity >= {units}
[when]- the customer has not ordered in this visit = !orderedThisSession
[when]- the customer is returning = returning
[when]- the last rating was between {low} and {high} = lastCsat >= {low}, lastCsat <= {high}
[when]The customer has been idle for {seconds} seconds = $last : CustomerEvent( customerId == $c, sequence == $j.lastSequence ) not CustomerEvent( customerId == $c, sequence > $last.sequence, this after[0s,{seconds}s] $last )

# CustomerEvent: every event, kept ten minutes
[when]The customer searches for something containing "{word}" or views a page whose path contains "{text}" = $e : CustomerEvent( $c : customerId, ( name == "Products Searched" && property("query") matches "(?i).*{word}.*" ) || ( isPageView() && path.contains("{text}") ) )
[when]The customer views a page under "{prefix}" = $e : CustomerEvent( $c : customerId, isPageView(), path.startsWith("{prefix}") )
[when]The customer views a page = $e : CustomerEvent( $c : customerId, isPageView() )
[when]The customer sends the event "{name}" = $e : CustomerEvent( $c : customerId, isTrack("{name}") )
[when]- its property "{key}" is "{value}" = property("{key}") == "{value}"
[when]- its number "{key}" is at least {amount} = number("{key}") >= {amount}

# CartItem: a line of the cart
[when]The cart holds a product of category "{category}" = CartItem( category == "{category}" ) from $j.cartItems

# Interaction: contacts through the contact centre, kept 30 days
[when]The customer contacted us by {channel} in the last {days} days = $i : Interaction( customerId == $c, channel == "{channel}", this before[0s,{days}d] $e )
[when]The customer had a contact in the last {days} days that left their matter open = $i : Interaction( customerId == $c, !resolved, this before[0s,{days}d] $e )

# EngagementOutcome: what the customer did with an engagement
[when]The customer has not declined a chat in this visit = not EngagementOutcome( customerId == $c, type == "proactive_chat", outcome == "declined" )
[when]The customer declined a chat = $o : EngagementOutcome( customerId == $c, type == "proactive_chat", outcome == "declined" )

# Consent: as the gate will see it
[when]The customer allows a callback = Consent( customerId == $c, callback )
[when]The customer allows a proactive chat = Consent( customerId == $c, proactiveChat )
[when]The customer allows personalised tips = Consent( customerId == $c, personalization )

# Offer: what was asked for in this visit
[when]The customer has not been offered "{rule}" in this visit = not Offer( customerId == $c, rule == "{rule}" )
[when]The customer has not been offered a chat in this visit = not Offer( customerId == $c, type == "proactive_chat" )

# Actions
[then]offer a proactive chat in queue {queue} saying "{message}", or else show a tip "{title}" saying "{body}" = nudge.chat("{queue}", "{message}").orTip("{title}", "{body}");
[then]offer a proactive chat in queue {queue} saying "{message}" = nudge.chat("{queue}", "{message}");
[then]offer a callback from queue {queue} saying "{message}", or else show a tip "{title}" saying "{body}" = nudge.callback("{queue}", "{message}").orTip("{title}", "{body}");
[then]offer a callback from queue {queue} saying "{message}" = nudge.callback("{queue}", "{message}");
[then]show a tip "{title}" saying "{body}" with a link to "{url}" = nudge.tip("{title}", "{body}", "{url}");
[then]show a tip "{title}" saying "{body}" = nudge.tip("{title}", "{body}");
