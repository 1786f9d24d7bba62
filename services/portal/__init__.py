"""The portal: the web application people use (an agency's ISO officer, the department's operators,
inspectors, trainers), over the services' APIs with each person's own sign-in."""
