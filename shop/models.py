"""Imports every area's models so SQLAlchemy and Alembic see the whole schema."""

from shop.accounts.models import ApiToken, LoginAttempt, LoginUnlock, RetailBuyer, User  # noqa: F401
from shop.api.models import IdempotencyKey  # noqa: F401
from shop.cart.models import CartItem  # noqa: F401
from shop.catalog.listing_models import ListingStatusChange, ProductListingSettings  # noqa: F401
from shop.catalog.models import (  # noqa: F401
    Category,
    Certification,
    Enterprise,
    EnterpriseMember,
    EnterprisePhoto,
    EnterpriseProgramme,
    Mentor,
    MentorAssignment,
    PartnerOrganisation,
    Product,
    ProductPhoto,
    ProductTag,
    Programme,
    Variant,
    WholesaleTier,
)
from shop.experiences.models import Booking, Experience, ExperiencePhoto, ExperienceSession  # noqa: F401
from shop.invoicing.models import (  # noqa: F401
    BuyerCreditTerms,
    Invoice,
    InvoiceCounter,
    InvoicePayment,
    InvoiceReminder,
)
from shop.ledger.models import LedgerEntry, Payout, PayoutBatch  # noqa: F401
from shop.mentoring.models import CoachingNote, NextStep  # noqa: F401
from shop.notifications.models import OutboxMessage  # noqa: F401
from shop.orders.models import (  # noqa: F401
    DocumentCounter,
    Fulfilment,
    Order,
    OrderLine,
    SavedAddress,
    ShippingOption,
    StatusChange,
)
from shop.payments.models import (  # noqa: F401
    Payment,
    PaymentSlip,  # noqa: F401
    ProviderEvent,
    Refund,
)
from shop.quotes.models import QuoteMessage, QuoteRequest  # noqa: F401
from shop.reviews.models import Review  # noqa: F401
from shop.search.models import SearchOutbox  # noqa: F401
from shop.sellers.models import EnterpriseEvent, EnterpriseFeedKey, EnterpriseInvitation  # noqa: F401
from shop.statemachine import StatusChangeLog  # noqa: F401
from shop.track.models import ChecklistItem, ChecklistTick  # noqa: F401
