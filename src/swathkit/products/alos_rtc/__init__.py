"""ASF's ALOS PALSAR radiometrically terrain-corrected (RTC) products: names and zip layout."""
